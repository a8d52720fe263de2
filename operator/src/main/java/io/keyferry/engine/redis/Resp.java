package io.keyferry.engine.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The replies of a {@link Pipe}, read with the key they belong to in hand. */
public final class Resp {
    private Resp() {}

    /** A status or error line longer than any a store sends: past it, a reply is refused, not read on. */
    public static final int MAX_LINE = 1 << 20;
    /** A reply that held more bytes than its filter's budget ({@link Pipe.ReplyFilter#budget}): read and dropped. */
    public static final Object OVER_BUDGET = new Object() {
        @Override
        public String toString() {
            return "(a reply over its budget, dropped)";
        }
    };

    /** An error reply, such as {@code WRONGTYPE ...} or {@code ERR ...}. */
    public record Error(String message) {
        /** A wrong type, as Redis words it, or as Kvrocks does: "ERR Invalid argument: WRONGTYPE ..." (recorded). */
        public boolean wrongType() {
            return message.startsWith("WRONGTYPE") || message.startsWith("ERR Invalid argument: WRONGTYPE");
        }

        /** A key that is not there, where a command needs one (XINFO): "ERR no such key". */
        public boolean noSuchKey() {
            return message.toLowerCase(java.util.Locale.ROOT).contains("no such key");
        }

        @Override
        public String toString() {
            return message;
        }
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A number as a command argument. */
    public static byte[] num(long n) {
        if (n >= 0 && n < SMALL.length) {
            return SMALL[(int) n];
        }
        return ascii(Long.toString(n));
    }

    static final int SMALL_NUMBERS = 1024;
    private static final byte[][] SMALL = new byte[SMALL_NUMBERS][];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = ascii(Integer.toString(i));
        }
    }

    /** The replies TYPE gives for the types KeyFerry copies, as shared strings. */
    private static final String[] TYPE_NAMES = {"string", "hash", "list", "set", "zset", "stream", "none"};
    private static final byte[][] TYPE_BYTES = new byte[TYPE_NAMES.length][];

    static {
        for (int i = 0; i < TYPE_NAMES.length; i++) {
            TYPE_BYTES[i] = ascii(TYPE_NAMES[i]);
        }
    }

    /** TYPE's reply as text, without a new string for the common names. */
    public static String typeName(Object reply, String where, byte[] key) {
        if (reply instanceof byte[] b) {
            for (int i = 0; i < TYPE_BYTES.length; i++) {
                if (java.util.Arrays.equals(b, TYPE_BYTES[i])) {
                    return TYPE_NAMES[i];
                }
            }
        }
        return text(reply, where, key);
    }

    /** A bulk or status reply as text (TYPE's "string", a stream ID); {@code where} and {@code key} name an error. */
    public static String text(Object reply, String where, byte[] key) {
        return new String(bytes(reply, where, key), StandardCharsets.UTF_8);
    }

    /** A bulk or status reply, or null for a nil; an error or another shape throws, naming the endpoint and key. */
    public static byte[] bytes(Object reply, String where, byte[] key) {
        if (reply == null || reply instanceof byte[]) {
            return (byte[]) reply;
        }
        throw unexpected(reply, where, key);
    }

    public static long integer(Object reply, String where, byte[] key) {
        if (reply instanceof Long n) {
            return n;
        }
        throw unexpected(reply, where, key);
    }

    /** A bulk, status or integer reply (SISMEMBER's 1, ZSCORE's score), or null for a nil. */
    public static Object bytesOrInteger(Object reply, String where, byte[] key) {
        return reply instanceof Long ? reply : bytes(reply, where, key);
    }

    /** An array reply, or null for a nil. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Object reply, String where, byte[] key) {
        if (reply == null || reply instanceof List<?>) {
            return (List<Object>) reply;
        }
        throw unexpected(reply, where, key);
    }

    /** An array reply of strings only (the elements of a value), or null for a nil. */
    public static List<Object> strings(Object reply, String where, byte[] key) {
        List<Object> items = array(reply, where, key);
        for (int i = 0; items != null && i < items.size(); i++) {
            if (!(items.get(i) instanceof byte[])) {
                throw new IllegalStateException((key == null ? where : where + ", key " + Keys.show(key)) + ": element " + i
                        + " of a reply of elements is " + describe(items.get(i)) + ", not a string");
            }
        }
        return items;
    }

    /** Sends one command and returns its reply as it came (an error too); other queued replies are dropped. */
    public static Object call(Pipe pipe, byte[]... args) {
        int at = pipe.send(args);
        return pipe.sync().get(at);
    }

    /** A sorted-set score as Redis prints it ("1.5", "1e+20", "inf", "-inf"). */
    public static double score(byte[] text) {
        String s = new String(text, StandardCharsets.US_ASCII);
        return switch (s) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("a score came back as \"" + Keys.show(text)
                            + "\", which is not a number (a store that answers this command in its own way?)", e);
                }
            }
        };
    }

    /** Whether a SCAN-family cursor is the last ("0"). */
    public static boolean finished(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0';
    }

    /** Payload bytes of a value as a pipe returns it: a string, or the flat elements of a collection. */
    public static long payload(Object value) {
        if (value instanceof byte[] b) {
            return b.length;
        }
        long n = 0;
        if (value instanceof List<?> items) {
            for (Object item : items) {
                n += payload(item);
            }
        }
        return n;
    }

    /** A command of a name, a key, and further arguments given as a list (the elements of a value). */
    public static byte[][] command(byte[] name, byte[] key, List<?> rest) {
        byte[][] args = new byte[2 + rest.size()][];
        args[0] = name;
        args[1] = key;
        for (int i = 0; i < rest.size(); i++) {
            args[2 + i] = (byte[]) rest.get(i);
        }
        return args;
    }

    /** Whether a reply is the status {@code OK}. */
    public static boolean ok(Object reply) {
        return reply instanceof byte[] b && b.length == 2 && b[0] == 'O' && b[1] == 'K';
    }

    private static IllegalStateException unexpected(Object reply, String where, byte[] key) {
        String what = key == null ? where : where + ", key " + Keys.show(key);
        if (reply instanceof Error e) {
            return new ReplyError(what + ": " + e.message(), e);
        }
        return new IllegalStateException(what + ": unexpected reply (" + describe(reply) + ")");
    }

    /** What a reply is, without its content (it may be a secret or megabytes). */
    public static String describe(Object reply) {
        if (reply instanceof byte[] b) {
            return "a string of " + b.length + " bytes";
        }
        if (reply instanceof List<?> l) {
            return "a list of " + l.size();
        }
        return reply == null ? "nil" : reply instanceof Long n ? "the number " + n : reply.getClass().getSimpleName();
    }

    /**
     * Reads replies with {@code reading}; where one has another shape than its command gives (a string where a list
     * belongs, a list too short), which only a broken or hostile server sends, the error names the endpoint and key.
     */
    public static <T> T shaped(String where, byte[] key, java.util.function.Supplier<T> reading) {
        try {
            return reading.get();
        } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            throw new IllegalStateException((key == null ? where : where + ", key " + Keys.show(key))
                    + ": a reply is not of the shape its command gives (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** An error reply where a value was expected. */
    public static final class ReplyError extends IllegalStateException {
        private final Error error;

        ReplyError(String message, Error error) {
            super(message);
            this.error = error;
        }

        public Error error() {
            return error;
        }
    }
}
