package io.keyferry.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The parts of an endpoint URI ({@code redis://host:port/db}, {@code rediss://} for TLS) that a
 * connection needs. Credentials are never part of it: they come from Secrets.
 */
public record EndpointUri(boolean tls, String host, int port, int db) {
    public static final int DEFAULT_PORT = 6379;

    /**
     * Parses and checks an endpoint URI.
     *
     * @throws IllegalArgumentException with a message that says what to change; it never
     *     repeats the URI, which may hold a password the user pasted by mistake
     */
    public static EndpointUri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw invalid("is required, e.g. redis://host:6379/0");
        }
        if (uri.contains("@")) { // user-info; '@' has no other place in a redis URI
            throw invalid("must not hold credentials (secrets do not belong in manifests);"
                    + " use passwordSecretRef and usernameSecretRef");
        }
        URI parsed = toUri(uri);
        if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
            throw invalid("query parameters and fragments are not supported; use redis://host:port/db");
        }
        return new EndpointUri(isTls(parsed.getScheme()), hostOf(parsed), portOf(parsed), dbOf(parsed.getRawPath()));
    }

    private static URI toUri(String uri) {
        try {
            return new URI(uri.strip());
        } catch (URISyntaxException e) {
            throw invalid("is not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
    }

    private static boolean isTls(String scheme) {
        if (scheme == null) {
            throw invalid("has no scheme; use redis://host:port/db or rediss://host:port/db");
        }
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "redis" -> false;
            case "rediss" -> true;
            default -> throw invalid("scheme '" + scheme + "' is not supported; use redis:// or rediss://");
        };
    }

    private static String hostOf(URI uri) {
        String host = uri.getHost();
        if (host != null) {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host; // IPv6 literal
        }
        if (uri.getRawAuthority() != null) {
            throw invalid("'" + uri.getRawAuthority() + "' is not a valid host[:port]");
        }
        throw invalid("has no host; use redis://host:port/db");
    }

    private static int portOf(URI uri) {
        int port = uri.getPort();
        if (port == -1) {
            return DEFAULT_PORT;
        }
        if (port < 1 || port > 65535) {
            throw invalid("port " + port + " is out of range; use 1 to 65535");
        }
        return port;
    }

    private static int dbOf(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String db = path.substring(1);
        if (!db.matches("[0-9]{1,9}")) {
            throw invalid("path '" + path + "' is not a database index; use /0, /1, ... or leave it out for 0");
        }
        return Integer.parseInt(db);
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message);
    }
}
