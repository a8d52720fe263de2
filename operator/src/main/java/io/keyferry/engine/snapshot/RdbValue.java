package io.keyferry.engine.snapshot;

import io.keyferry.engine.redis.ByteRange;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one serialized value held in memory (a snapshot entry, or a DUMP reply: type byte, then the value): a string's
 * bytes, and the members or fields of a set or hash kept as a hash table, whose order depends on the server that
 * wrote it (its hash seed), so two equal ones may not be equal byte for byte.
 */
public final class RdbValue {
    private RdbValue() {}

    /** The string an entry of type 0 holds (decoded: an integer as its text, an LZF-compressed one inflated). */
    public static byte[] string(byte[] entry, int length) throws IOException {
        RdbInput in = new RdbInput(entry, length);
        in.read(); // the type
        byte[] s = in.string();
        atEnd(in);
        return s;
    }

    /**
     * Whether two values of RDB type 2 (a set as a hash table) or 4 (a hash as a hash table) hold the same members,
     * or fields and values, in whatever order: the first one's members are put in a table, and each of the second's
     * takes its own out of it (with an equal value), so a member met twice, or missing, tells them apart.
     */
    public static boolean sameUnordered(byte[] a, int aLength, byte[] c, int cLength) throws IOException {
        if (aLength == 0 || cLength == 0 || a[0] != c[0] || (a[0] != 2 && a[0] != 4)) {
            return false;
        }
        boolean pairs = a[0] == 4;
        RdbInput x = new RdbInput(a, aLength);
        RdbInput y = new RdbInput(c, cLength);
        x.read(); // the type
        y.read();
        long n = x.length();
        if (y.length() != n) {
            return false;
        }
        Map<ByteRange, byte[]> left = new HashMap<>((int) Math.min(n + n / 3 + 1, 1 << 16));
        for (long i = 0; i < n; i++) {
            byte[] member = x.string();
            if (left.put(new ByteRange(member), pairs ? x.string() : member) != null) {
                return false; // a member twice: not a set, nor a hash
            }
        }
        atEnd(x);
        for (long i = 0; i < n; i++) {
            byte[] member = y.string();
            byte[] value = left.remove(new ByteRange(member));
            if (value == null || (pairs && !Arrays.equals(value, y.string()))) {
                return false;
            }
        }
        atEnd(y);
        return true;
    }

    private static void atEnd(RdbInput in) throws IOException {
        if (!in.atEnd()) {
            throw new IOException("a serialized value is longer than its content");
        }
    }
}
