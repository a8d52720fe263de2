package io.keyferry.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
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
     * or fields and values, in whatever order.
     */
    public static boolean sameUnordered(byte[] a, int aLength, byte[] c, int cLength) throws IOException {
        if (aLength == 0 || cLength == 0 || a[0] != c[0] || (a[0] != 2 && a[0] != 4)) {
            return false;
        }
        Map<ByteBuffer, ByteBuffer> x = members(new RdbInput(a, aLength), a[0] == 4);
        Map<ByteBuffer, ByteBuffer> y = members(new RdbInput(c, cLength), c[0] == 4);
        return x != null && x.equals(y);
    }

    /** Members (with their values in a hash), or null where one repeats. */
    private static Map<ByteBuffer, ByteBuffer> members(RdbInput in, boolean pairs) throws IOException {
        in.read(); // the type
        long n = in.length();
        Map<ByteBuffer, ByteBuffer> m = new HashMap<>();
        for (long i = 0; i < n; i++) {
            ByteBuffer member = ByteBuffer.wrap(in.string());
            ByteBuffer value = pairs ? ByteBuffer.wrap(in.string()) : member;
            if (m.put(member, value) != null) {
                return null;
            }
        }
        atEnd(in);
        return m;
    }

    private static void atEnd(RdbInput in) throws IOException {
        if (!in.atEnd()) {
            throw new IOException("a serialized value is longer than its content");
        }
    }
}
