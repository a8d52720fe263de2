package io.keyferry.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one serialized value held in memory (a snapshot entry, or a DUMP reply: type byte, then the value): a string's
 * bytes, and the members or fields of a set or hash kept as a hash table, whose order depends on the server that
 * wrote it (its hash seed), so two equal ones may not be equal byte for byte.
 */
public final class RdbValue {
    private final byte[] b;
    private final int end;
    private int pos;

    private RdbValue(byte[] b, int length) {
        this.b = b;
        this.end = length;
    }

    /** The string an entry of type 0 holds (decoded: an integer as its text, an LZF-compressed one inflated). */
    public static byte[] string(byte[] entry, int length) throws IOException {
        RdbValue v = new RdbValue(entry, length);
        v.pos = 1;
        byte[] s = v.string();
        v.atEnd();
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
        Map<ByteBuffer, ByteBuffer> x = new RdbValue(a, aLength).members(a[0] == 4);
        Map<ByteBuffer, ByteBuffer> y = new RdbValue(c, cLength).members(c[0] == 4);
        return x != null && x.equals(y);
    }

    /** Members (with their values in a hash), or null where one repeats. */
    private Map<ByteBuffer, ByteBuffer> members(boolean pairs) throws IOException {
        pos = 1;
        long n = length();
        Map<ByteBuffer, ByteBuffer> m = new HashMap<>();
        for (long i = 0; i < n; i++) {
            ByteBuffer member = ByteBuffer.wrap(string());
            ByteBuffer value = pairs ? ByteBuffer.wrap(string()) : member;
            if (m.put(member, value) != null) {
                return null;
            }
        }
        atEnd();
        return m;
    }

    private void atEnd() throws IOException {
        if (pos != end) {
            throw new IOException("a serialized value is longer than its content");
        }
    }

    private int next() throws IOException {
        if (pos >= end) {
            throw new IOException("a serialized value ends early");
        }
        return b[pos++] & 0xFF;
    }

    private long length() throws IOException {
        int first = next();
        return switch (first >> 6) {
            case 0 -> first & 0x3F;
            case 1 -> ((long) (first & 0x3F) << 8) | next();
            case 2 -> first == 0x80 ? be(4) : first == 0x81 ? be(8) : bad(first);
            default -> bad(first);
        };
    }

    private long be(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | next();
        }
        return v;
    }

    private long le(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) next() << (8 * i);
        }
        return v;
    }

    private static long bad(int first) throws IOException {
        throw new IOException("length encoding " + first + " is not known");
    }

    private byte[] string() throws IOException {
        int first = b[pos] & 0xFF;
        if (first >> 6 != 3) {
            int n = Math.toIntExact(length());
            if (n > end - pos) {
                throw new IOException("a serialized value ends early");
            }
            byte[] s = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return s;
        }
        pos++;
        return switch (first & 0x3F) {
            case 0 -> text((byte) next());
            case 1 -> text((short) le(2));
            case 2 -> text((int) le(4));
            case 3 -> {
                int compressed = Math.toIntExact(length());
                int length = Math.toIntExact(length());
                if (compressed > end - pos) {
                    throw new IOException("a serialized value ends early");
                }
                byte[] in = java.util.Arrays.copyOfRange(b, pos, pos + compressed);
                pos += compressed;
                yield Lzf.decompress(in, length);
            }
            default -> throw new IOException("string encoding " + (first & 0x3F) + " is not known");
        };
    }

    private static byte[] text(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
