package io.keyferry.engine.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A value's reply kept as 64 bits and a count instead of its bytes: what verification compares where the target must
 * hold exactly what one source holds. Both servers are sent the same read, and both replies are digested as they are
 * parsed ({@link Pipe.ReplyFilter#digesting}), without an array per element. Equal digests mean equal values but for
 * a chance of about 2^-64 per key; unequal ones only that the key is read again and compared element by element,
 * which names the difference (a set whose members come back in another order digests the same: members, fields and
 * sorted-set entries are summed, not chained; a list's elements and a string's bytes are chained in order).
 *
 * @param count    a string's bytes, or a collection's elements (pairs for a hash or sorted set) in the reply
 * @param finished the reply holds the whole value: a SCAN-style read whose cursor came back 0, or any other read
 * @param hash     the digest, seeded per process ({@link #SEED}) so that no data can be made to collide on purpose
 */
public record Digest(long count, boolean finished, long hash) {
    /** How a reply is laid out, which says how its elements are combined. */
    public enum Shape {
        /** A bulk string (GETRANGE). */
        BULK,
        /** An array of bulk strings, in order (LRANGE). */
        ORDERED,
        /** [cursor, [member, ...]] (SSCAN): members summed. */
        SCAN_SINGLES,
        /** [cursor, [field, value, ...]] (HSCAN, ZSCAN): pairs summed. */
        SCAN_PAIRS
    }

    /** A reply whose layout is not its shape's (no server sends one): its key is compared the long way. */
    public static final Object UNREADABLE = new Object() {
        @Override
        public String toString() {
            return "(a reply not laid out as its command's)";
        }
    };

    static final long SEED = new java.security.SecureRandom().nextLong();
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * A string's 64 bits: eight bytes a step (the last step overlaps the one before), each step a bijection of the
     * state, so two strings of one length that differ in one word never collide.
     */
    static long bytes(byte[] b, int off, int n) {
        long h = SEED + n * P1;
        int end = off + n;
        if (n >= 8) {
            for (int i = off; i + 8 < end; i += 8) {
                h = (h ^ (long) LONGS.get(b, i)) * P2;
                h ^= h >>> 29;
            }
            h = (h ^ (long) LONGS.get(b, end - 8)) * P2;
        } else {
            long w = 0;
            for (int i = off; i < end; i++) {
                w = w << 8 | (b[i] & 0xff);
            }
            h = (h ^ w) * P2;
        }
        h ^= h >>> 32;
        h *= P1;
        return h ^ (h >>> 29);
    }

    /** A field and its value (or a member and its score) as one element: (a, b) and (b, a) differ. */
    static long pair(long a, long b) {
        long h = (a ^ Long.rotateLeft(b, 23)) * P1;
        return h ^ (h >>> 31);
    }

    /** The next element of an ordered value. */
    static long chain(long h, long element) {
        long x = (h ^ element) * P2;
        return x ^ (x >>> 29);
    }

    /**
     * The digest of a reply parsed already (a pipe over a client library): the same as {@link RespReader#digest} gives
     * for its bytes. Errors and nils are returned as they are; any other reply that is not laid out as the shape says
     * gives {@link #UNREADABLE}.
     */
    public static Object of(Object reply, Shape shape) {
        if (reply == null || reply instanceof Resp.Error || reply == Resp.OVER_BUDGET) {
            return reply;
        }
        try {
            return switch (shape) {
                case BULK -> new Digest(((byte[]) reply).length, true, element(reply));
                case ORDERED -> {
                    List<?> items = (List<?>) reply;
                    long h = SEED;
                    for (Object item : items) {
                        h = chain(h, element(item));
                    }
                    yield new Digest(items.size(), true, h);
                }
                case SCAN_SINGLES, SCAN_PAIRS -> {
                    List<?> page = (List<?>) reply;
                    List<?> items = (List<?>) page.get(1);
                    int step = shape == Shape.SCAN_PAIRS ? 2 : 1;
                    if (page.size() != 2 || items.size() % step != 0) {
                        yield UNREADABLE;
                    }
                    long sum = 0;
                    for (int i = 0; i < items.size(); i += step) {
                        sum += step == 1 ? element(items.get(i)) : pair(element(items.get(i)), element(items.get(i + 1)));
                    }
                    yield new Digest(items.size() / step, Resp.finished((byte[]) page.get(0)), sum);
                }
            };
        } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            return UNREADABLE;
        }
    }

    private static long element(Object item) {
        byte[] b = (byte[]) item;
        return bytes(b, 0, b.length);
    }
}
