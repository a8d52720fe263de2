package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Guesses a source key's type from its name, so that a command of that type (a copy's size, a verification's
 * bounded read) can be sent with its PTTL instead of after a TYPE. A right guess saves the source a TYPE and a round
 * trip, and it reads the key while the key is in its cache; a wrong one costs an error reply (WRONGTYPE) and one
 * more round trip.
 *
 * <p>Keys are grouped by their <em>shape</em>: the name with every run of letters and digits that holds a digit
 * replaced by one mark, so {@code app:1042:session} and {@code app:77:session} share the shape {@code app:#:session}
 * while {@code app:77:feed} does not, and every hashed name ({@code 9f86d081884c7d65}) has the shape {@code #}. Each
 * shape counts the types seen lately (what TYPE answered, and guesses that proved right); a shape is guessed as its
 * commonest type once that type holds more than half of its count. So an application's keys under one prefix are told
 * apart by their last part, and a keyspace of hashed names is guessed as its commonest type (strings, usually). Where
 * guesses still go wrong often (more than {@link #WRONG_SHARE} of a batch's) it stops guessing for a while.
 * Used by one thread.
 */
public final class TypeGuess {
    /** Shapes remembered at most; beyond that the table starts over. */
    private static final int SHAPES = 10_000;
    /** The shape is taken from the first bytes of a key only. */
    private static final int SHAPE_BYTES = 64;
    /** Batches without guessing after one where more than this share of the guesses were wrong. */
    static final double WRONG_SHARE = 0.4;
    private static final int PAUSE_BATCHES = 8;
    /** A shape's counts are halved when they reach this: the guess follows what the keyspace holds lately. */
    private static final int WINDOW = 256;
    private static final DataType[] TYPES = DataType.values();

    private final Map<ByteBuffer, int[]> byShape = new HashMap<>();
    private int paused;

    /** Whether to guess in the next batch; called once per batch. */
    public boolean guessing() {
        if (paused > 0) {
            paused--;
            return false;
        }
        return true;
    }

    /** The commonest type lately of keys of this key's shape, where it holds more than half of them; else null. */
    public DataType guess(byte[] key) {
        int[] counts = byShape.get(ByteBuffer.wrap(shape(key)));
        if (counts == null) {
            return null;
        }
        int total = 0;
        int best = 0;
        for (int t = 0; t < TYPES.length; t++) {
            total += counts[t];
            best = counts[t] > counts[best] ? t : best;
        }
        return counts[best] * 2 > total ? TYPES[best] : null;
    }

    /** Remembers a key's type (what TYPE said, or a guess that proved right). */
    public void learn(byte[] key, DataType type) {
        if (type == null) {
            return;
        }
        ByteBuffer shape = ByteBuffer.wrap(shape(key));
        int[] counts = byShape.get(shape);
        if (counts == null) {
            if (byShape.size() >= SHAPES) {
                byShape.clear();
            }
            counts = new int[TYPES.length];
            byShape.put(shape, counts);
        }
        if (++counts[type.ordinal()] >= WINDOW) {
            for (int t = 0; t < counts.length; t++) {
                counts[t] /= 2;
            }
        }
    }

    /** How the guesses of a batch went. */
    public void outcome(int right, int wrong) {
        if (wrong > WRONG_SHARE * (right + wrong)) {
            paused = PAUSE_BATCHES;
        }
    }

    /** The key's shape: every run of letters and digits holding a digit becomes '#' (within the first bytes). */
    static byte[] shape(byte[] key) {
        int n = Math.min(key.length, SHAPE_BYTES);
        byte[] out = new byte[n];
        int len = 0;
        int i = 0;
        while (i < n) {
            if (!alnum(key[i])) {
                out[len++] = key[i++];
                continue;
            }
            int start = i;
            boolean digit = false;
            while (i < n && alnum(key[i])) {
                digit |= key[i] >= '0' && key[i] <= '9';
                i++;
            }
            if (digit) {
                out[len++] = '#';
            } else {
                System.arraycopy(key, start, out, len, i - start);
                len += i - start;
            }
        }
        return len == out.length ? out : java.util.Arrays.copyOf(out, len);
    }

    private static boolean alnum(byte b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z';
    }
}
