package io.keyferry.engine.redis;

import java.util.List;
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
        boolean accepted = accept.test(found);
        // Without the SET, the transaction only ends the WATCH.
        Object done = transaction(pipe, key, accepted ? List.<byte[][]>of(new byte[][] {Cmd.SET, key, value}) : List.<byte[][]>of());
        return new Outcome(found, accepted && done != null);
    }

    /**
     * MULTI, the writes, EXEC, in one round trip, after a WATCH: EXEC's reply, or null where a watched key changed
     * and nothing was written. A refused MULTI, a write refused as it was queued (a permission the user lacks, a
     * wrong type) or a refused EXEC throws, naming the command and the server's words.
     */
    public static Object transaction(Pipe pipe, byte[] key, List<byte[][]> writes) {
        int multi = pipe.send(Cmd.MULTI);
        int[] queued = new int[writes.size()];
        for (int i = 0; i < writes.size(); i++) {
            queued[i] = pipe.send(writes.get(i));
        }
        int exec = pipe.send(Cmd.EXEC);
        List<Object> replies = pipe.sync();
        refused(pipe, replies.get(multi), Cmd.MULTI, key);
        for (int i = 0; i < queued.length; i++) {
            refused(pipe, replies.get(queued[i]), writes.get(i)[0], key);
        }
        refused(pipe, replies.get(exec), Cmd.EXEC, key);
        return replies.get(exec);
    }

    private static void refused(Pipe pipe, Object reply, byte[] command, byte[] key) {
        if (reply instanceof Resp.Error e) {
            throw new IllegalStateException(pipe.label() + " refused " + new String(command, java.nio.charset.StandardCharsets.US_ASCII)
                    + " for " + Keys.show(key) + ": " + e.message());
        }
    }
}
