package io.keyferry.engine;

import io.keyferry.api.FlagSpec;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.resource.ClientResources;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.WatchedWrite;
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

    /** What a compare-and-set did: wrote the flag, or found another value (null: no key) and wrote nothing. */
    public record Swap(boolean written, String found) {}

    /**
     * Sets the flag only where the store still holds {@code expected} (null: no key), so that a deposed leader or a
     * second installation can never overwrite a newer flag: WATCH, GET, then SET in MULTI/EXEC (every store the flag
     * may live in has them; a Redis Cluster gets the same as one Lua script on the key's node). The application sees
     * the new routing on its next read of the key.
     */
    public Swap compareAndSet(String expected, String flag) {
        try (Endpoints endpoints = new Endpoints(secrets, io);
             RedisLink link = endpoints.connect(spec.getEndpoint(), PATH, "flag store")) {
            return link.cluster() != null ? swapByScript(link, expected, flag) : swapByWatch(link, expected, flag);
        }
    }

    private Swap swapByWatch(RedisLink link, String expected, String flag) {
        WatchedWrite.Outcome o = WatchedWrite.setIf(link.pipe(), key(), v -> java.util.Objects.equals(text(v), expected),
                key(), bytes(flag));
        if (o.written()) {
            return new Swap(true, flag);
        }
        String found = text(o.found());
        return new Swap(false, java.util.Objects.equals(found, expected) ? read() : found); // raced: read what won
    }

    private static final String SWAP = "local v = redis.call('GET', KEYS[1]) if (v == false and ARGV[1] == '')"
            + " or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return {1, ARGV[2]} end return {0, v or ''}";

    private Swap swapByScript(RedisLink link, String expected, String flag) {
        java.util.List<Object> r = link.call(link.async().eval(SWAP, ScriptOutputType.MULTI,
                new byte[][] {key()}, bytes(expected == null ? "" : expected), bytes(flag)));
        String found = text((byte[]) r.get(1));
        return new Swap(Long.valueOf(1).equals(r.get(0)), found == null || found.isEmpty() ? null : found);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private byte[] key() {
        return spec.getKey().getBytes(StandardCharsets.UTF_8);
    }
}
