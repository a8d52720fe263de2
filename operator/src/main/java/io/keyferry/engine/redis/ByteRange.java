package io.keyferry.engine.redis;

import java.util.Arrays;

/**
 * The first {@code length} bytes of an array, as a hash table's key: its hash computed once, equality by content. Not
 * a ByteBuffer, whose hash and equality go byte by byte through calls that C1 (the launcher's compiler) does not
 * inline: in the hot paths (a type guess per key, a hash table's members compared) that was several percent of a run.
 */
public final class ByteRange {
    private final byte[] bytes;
    private final int length;
    private final int hash;

    public ByteRange(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        this.hash = h;
    }

    public ByteRange(byte[] bytes) {
        this(bytes, bytes.length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteRange r && r.hash == hash && Arrays.equals(r.bytes, 0, r.length, bytes, 0, length);
    }
}
