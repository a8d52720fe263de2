package io.keyferry.testing;

import java.net.URI;
import java.util.Arrays;

/**
 * One request to the Kubernetes API as its RBAC authorizer sees it (the API server's RequestInfoFactory): the
 * HTTP method and path as they were sent, turned into verb, API group, resource, subresource, namespace and name.
 * GET is get on a named object, list on a collection, watch with {@code watch=true}; POST create, PUT update,
 * PATCH patch; DELETE delete, or deletecollection on a collection. A path outside /api and /apis, or one that
 * names no resource (discovery), is a non-resource request: its verb is the lower-case method, its
 * {@code nonResourcePath} the path.
 *
 * @param component who sent it: the client it was recorded on
 */
public record ApiRequest(String component, String verb, String group, String resource, String subresource,
                         String namespace, String name, String nonResourcePath) {

    public static ApiRequest of(String component, String method, URI uri) {
        String path = uri.getRawPath();
        String[] parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        int resourceAt;
        String group;
        if (parts.length >= 3 && parts[0].equals("api")) {
            group = "";
            resourceAt = 2;
        } else if (parts.length >= 4 && parts[0].equals("apis")) {
            group = parts[1];
            resourceAt = 3;
        } else {
            return new ApiRequest(component, method.toLowerCase(java.util.Locale.ROOT), "", "", "", "", "", path);
        }
        String[] rest = Arrays.copyOfRange(parts, resourceAt, parts.length);
        String namespace = "";
        if (rest.length >= 3 && rest[0].equals("namespaces")) {
            namespace = rest[1];
            rest = Arrays.copyOfRange(rest, 2, rest.length);
        }
        String name = rest.length > 1 ? rest[1] : "";
        String subresource = rest.length > 2 ? rest[2] : "";
        return new ApiRequest(component, verb(method, name, uri.getRawQuery()), group, rest[0], subresource, namespace,
                name, "");
    }

    private static String verb(String method, String name, String query) {
        boolean watch = query != null && Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        return switch (method) {
            case "GET", "HEAD" -> watch ? "watch" : name.isEmpty() ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    public boolean isResourceRequest() {
        return nonResourcePath.isEmpty();
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    public String qualifiedResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /** `component: verb group/resource[/subresource] in namespace`, without the name: one line per kind of request. */
    public String kind() {
        return component + ": " + verb + " " + (isResourceRequest() ? group + "/" + qualifiedResource()
                + (namespace.isEmpty() ? " (cluster)" : " in " + namespace) : nonResourcePath);
    }

    @Override
    public String toString() {
        return kind() + (name.isEmpty() ? "" : " name " + name);
    }
}
