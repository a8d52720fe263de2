package io.keyferry.engine;

import io.keyferry.api.SecretKeyRef;

/** Reads the value behind a secret reference: a mounted Secret file locally, an env var in a pod. */
public interface SecretResolver {
    /**
     * @param ref the reference from the manifest
     * @param fieldPath where the reference stands, for error messages (spec.target.endpoint.passwordSecretRef)
     */
    String resolve(SecretKeyRef ref, String fieldPath);
}
