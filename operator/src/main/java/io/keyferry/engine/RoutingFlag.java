package io.keyferry.engine;

import io.keyferry.api.FlagSpec;
import io.lettuce.core.resource.ClientResources;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import java.nio.charset.StandardCharsets;

/**
 * The application's routing flag (spec.cutover.flag): a string key of four characters, read-old,
 * write-old, read-new, write-new. The operator reads it to know what is in force and writes it to move
 * the application; a connection is opened per use, since moves are rare.
 */
public final class RoutingFlag {
    private static final String PATH = "spec.cutover.flag.endpoint";

    private final FlagSpec spec;
    private final SecretResolver secrets;
    private final ClientResources io;

    /** @param io I/O threads the caller keeps for all its flags */
    public RoutingFlag(FlagSpec spec, SecretResolver secrets, ClientResources io) {
        this.spec = spec;
        this.secrets = secrets;
        this.io = io;
    }

    /** The flag's value, or null when the key does not exist. */
    public String read() {
        try (Endpoints endpoints = new Endpoints(secrets, io);
             RedisLink link = endpoints.connect(spec.getEndpoint(), PATH, "flag store")) {
            byte[] value = link.call(link.async().get(key()));
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    /** Sets the flag; the application sees the new routing on its next read of the key. */
    public void write(String flag) {
        try (Endpoints endpoints = new Endpoints(secrets, io);
             RedisLink link = endpoints.connect(spec.getEndpoint(), PATH, "flag store")) {
            link.call(link.async().set(key(), flag.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private byte[] key() {
        return spec.getKey().getBytes(StandardCharsets.UTF_8);
    }
}
