package io.keyferry.engine;

import io.keyferry.api.FlagSpec;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.resource.ClientResources;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
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
        Pipe pipe = link.pipe();
        pipe.send(Cmd.WATCH, key());
        int get = pipe.send(Cmd.GET, key());
        String found = text(Resp.bytes(pipe.sync().get(get), link.label(), key()));
        if (!java.util.Objects.equals(found, expected)) {
            return new Swap(false, found); // the WATCH ends with the connection
        }
        pipe.send(Cmd.MULTI);
        pipe.send(Cmd.SET, key(), flag.getBytes(StandardCharsets.UTF_8));
        int exec = pipe.send(Cmd.EXEC);
        Object done = pipe.sync().get(exec);
        if (done instanceof Resp.Error e) {
            throw new IllegalStateException(link.label() + " refused the flag write: " + e.message());
        }
        return done == null ? new Swap(false, read()) : new Swap(true, flag);
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
