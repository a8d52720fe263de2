package io.keyferry.testing.peers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A redis-server that answers one command wrongly, every time it is sent: everything else is forwarded as it is. The
 * {@link Fault}s are what a broken store, a proxy that lost track or a hostile one could send; a fault that leaves
 * the reply incomplete closes the connection after it, so the client sees it at once rather than after a timeout.
 */
public final class HostileDialect implements Dialect {
    /** How the command is answered. */
    public enum Fault {
        /** Bytes that are not RESP. */
        GARBAGE,
        /** The first half of the real reply, then the connection closes. */
        TRUNCATED,
        /** A bulk string that says it holds 512 MiB, a few bytes of it, then the connection closes. */
        OVERSIZED_BULK,
        /** An array that says it holds 2^31 - 1 replies, a few of them, then the connection closes. */
        HUGE_ARRAY,
        /** Arrays nested 100,000 deep. */
        DEEP_ARRAY,
        /** A status line of 8 MiB with no end, then the connection closes. */
        ENDLESS_LINE,
        /** An integer of 30 digits. */
        NUMBER_OVERFLOW,
        /** An integer where the command answers otherwise, or a string where it answers an integer. */
        WRONG_TYPE,
        /** An array of numbers, whatever the command answers. */
        WRONG_ARRAY,
        /** An error reply. */
        ERROR
    }

    private final String command;
    private final Fault fault;
    private final AtomicInteger faults = new AtomicInteger();
    private volatile boolean healed;

    public HostileDialect(String command, Fault fault) {
        this.command = command.toUpperCase(Locale.ROOT);
        this.fault = fault;
    }

    /**
     * From now on every command on a new connection is forwarded as it is: the server has been mended. A connection
     * opened before keeps its fault: the commands its client sent before it gave up, still buffered, are answered as
     * they were, not applied later, out of order (the first faulted, the rest forwarded), which no store does.
     */
    public void heal() {
        healed = true;
    }

    @Override
    public Dialect connection() {
        boolean mended = healed;
        return new Dialect() {
            @Override
            public Step handle(List<byte[]> cmd) {
                return HostileDialect.this.handle(cmd, mended);
            }

            @Override
            public String store() {
                return HostileDialect.this.store();
            }
        };
    }

    /** Times the fault was played. */
    public int faults() {
        return faults.get();
    }

    @Override
    public Step handle(List<byte[]> cmd) {
        return handle(cmd, healed);
    }

    private Step handle(List<byte[]> cmd, boolean mended) {
        if (mended || !Wire.text(cmd.get(0)).toUpperCase(Locale.ROOT).equals(command)) {
            return Forward.as(cmd);
        }
        faults.incrementAndGet();
        return switch (fault) {
            case GARBAGE -> new Answer(new Wire.Raw(ascii("?what is this\r\n"), true));
            case TRUNCATED -> Forward.of(cmd, reply -> {
                byte[] whole = Wire.encode(reply);
                return new Wire.Raw(Arrays.copyOf(whole, Math.max(1, whole.length / 2)), true);
            });
            case OVERSIZED_BULK -> new Answer(new Wire.Raw(ascii("$536870912\r\nabcdef"), true));
            case HUGE_ARRAY -> new Answer(new Wire.Raw(ascii("*2147483647\r\n:1\r\n:2\r\n"), true));
            case DEEP_ARRAY -> new Answer(new Wire.Raw(deep(), false));
            case ENDLESS_LINE -> new Answer(new Wire.Raw(("+" + "a".repeat(8 << 20)).getBytes(StandardCharsets.US_ASCII), true));
            case NUMBER_OVERFLOW -> new Answer(new Wire.Raw(ascii(":123456789012345678901234567890\r\n"), false));
            case WRONG_TYPE -> Forward.of(cmd, reply -> reply instanceof Long ? Wire.bytes("not a number") : (Object) 42L);
            case WRONG_ARRAY -> new Answer(List.of(1L, 2L, 3L));
            case ERROR -> new Answer(new Wire.Err("ERR the double refuses " + command));
        };
    }

    @Override
    public String store() {
        return "hostile";
    }

    private static byte[] deep() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] one = ascii("*1\r\n");
        for (int i = 0; i < 100_000; i++) {
            out.writeBytes(one);
        }
        out.writeBytes(ascii(":1\r\n"));
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
