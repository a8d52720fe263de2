package io.keyferry.engine.undo;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of keys held as their 128-bit MD5 digests in one open-addressing table: 32 bytes a key at most (a million
 * keys in 32-64 MB, where a set of strings took about 100 MB), whatever the keys' lengths. Two keys of one digest
 * would count as one; at 128 bits the chance of that among a billion keys is below 10^-20.
 */
final class KeySet {
    private long[] table = new long[2 * 1024];
    private int size;
    private final MessageDigest md5;

    KeySet() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no MD5 in this JVM", e);
        }
    }

    int size() {
        return size;
    }

    boolean contains(byte[] key) {
        return contains(digest(key));
    }

    /** Whether the key of this {@link #digest} is in the set. */
    boolean contains(long[] d) {
        return table[slot(table, d[0], d[1])] != 0;
    }

    /** @return whether the key was not in the set */
    boolean add(byte[] key) {
        return add(digest(key));
    }

    /** Adds the key of this {@link #digest}; @return whether it was not in the set */
    boolean add(long[] d) {
        int at = slot(table, d[0], d[1]);
        if (table[at] != 0) {
            return false;
        }
        table[at] = d[0];
        table[at + 1] = d[1];
        if (++size > table.length / 2 * 7 / 10) { // at most 70% of the slots taken
            grow();
        }
        return true;
    }

    /** What the set holds of a key: its digest as two words, the first never 0. */
    long[] digest(byte[] key) {
        byte[] h = md5.digest(key);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (h[i] & 0xff);
            lo = (lo << 8) | (h[8 + i] & 0xff);
        }
        return new long[] {hi == 0 ? 1 : hi, lo}; // a first word of 0 marks an empty slot
    }

    /** The slot of a digest: where it is, or the empty slot where it would go. */
    private static int slot(long[] t, long hi, long lo) {
        int slots = t.length / 2;
        int i = (int) ((lo ^ (lo >>> 32)) & (slots - 1));
        while (t[2 * i] != 0 && (t[2 * i] != hi || t[2 * i + 1] != lo)) {
            i = (i + 1) & (slots - 1);
        }
        return 2 * i;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                int at = slot(table, old[i], old[i + 1]);
                table[at] = old[i];
                table[at + 1] = old[i + 1];
            }
        }
    }
}
