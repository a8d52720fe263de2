package io.keyferry.engine.redis;

import java.util.function.Predicate;

/**
 * A SET made only while another key still holds what the caller accepts: WATCH it, read it, then the SET in
 * MULTI/EXEC, which the server refuses where the watched key changed after the read. Every store KeyFerry writes
 * to has these commands; a Redis Cluster, whose MULTI has no key to route by, needs a script instead.
 */
public final class WatchedWrite {
    private WatchedWrite() {}

    /**
     * @param found   the watched key's value as read (null: no key)
     * @param written the SET landed; where not, either {@code found} was refused, or the watched key changed between
     *                the read and the EXEC (the caller reads again)
     */
    public record Outcome(byte[] found, boolean written) {}

    public static Outcome setIf(Pipe pipe, byte[] watched, Predicate<byte[]> accept, byte[] key, byte[] value) {
        pipe.send(Cmd.WATCH, watched);
        int get = pipe.send(Cmd.GET, watched);
        byte[] found = Resp.bytes(pipe.sync().get(get), pipe.label(), watched);
        pipe.send(Cmd.MULTI);
        boolean accepted = accept.test(found);
        if (accepted) {
            pipe.send(Cmd.SET, key, value);
        }
        int exec = pipe.send(Cmd.EXEC); // without the SET, it only ends the WATCH
        Object done = pipe.sync().get(exec);
        if (done instanceof Resp.Error e) {
            throw new IllegalStateException(pipe.label() + " refused the write of " + Keys.show(key) + ": " + e.message());
        }
        return new Outcome(found, accepted && done != null);
    }
}
