package io.keyferry.testing.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A plain redis-server, every command forwarded as it is, with a note of each one kept: a {@link StoreDouble} in
 * this dialect shows what a client sent, command by command, and the server behind it decides every reply.
 */
public final class RecordingDialect implements Dialect {
    /** Arguments longer than this are kept as their length only (values, payloads). */
    private static final int KEPT_BYTES = 64;

    /**
     * One command sent: its name, its key (the first argument), the other arguments up to {@link #KEPT_BYTES} each
     * (longer ones as null) and the bytes of all of them.
     */
    public record Sent(String name, String key, List<String> args, long bytes) {
        /** The argument at {@code i} after the key, as a number. */
        public long number(int i) {
            return Long.parseLong(args.get(i));
        }

        /** Arguments after the key. */
        public int argc() {
            return args.size();
        }
    }

    private final Queue<Sent> sent = new ConcurrentLinkedQueue<>();

    @Override
    public Step handle(List<byte[]> cmd) {
        String name = Wire.text(cmd.get(0)).toUpperCase(Locale.ROOT);
        List<String> args = new ArrayList<>(Math.max(0, cmd.size() - 2));
        long bytes = 0;
        for (int i = 1; i < cmd.size(); i++) {
            bytes += cmd.get(i).length;
            if (i > 1) {
                args.add(cmd.get(i).length > KEPT_BYTES ? null : Wire.text(cmd.get(i)));
            }
        }
        sent.add(new Sent(name, cmd.size() > 1 ? Wire.text(cmd.get(1)) : "", args, bytes));
        return Dialect.Forward.as(cmd);
    }

    @Override
    public String store() {
        return "recording";
    }

    /** Every command sent so far, in the order the double received them (per connection). */
    public List<Sent> sent() {
        return List.copyOf(sent);
    }
}
