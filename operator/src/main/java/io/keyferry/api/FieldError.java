package io.keyferry.api;

/**
 * One problem in a manifest: where it is, as a Kubernetes-style field path
 * ({@code spec.sources[0].endpoint.uri}; the file name for problems with the file itself),
 * and what is wrong with it, worded so that the user knows what to change.
 */
public record FieldError(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
