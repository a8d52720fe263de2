package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.engine.redis.ByteRange;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Guesses a source key's type from its name, so that a command of that type (a copy's size, a verification's
 * bounded read) can be sent with its PTTL instead of after a TYPE. A right guess saves the source a TYPE and a round
 * trip, and it reads the key while the key is in its cache; a wrong one costs an error reply (WRONGTYPE) and one
 * more round trip.
 *
 * <p>Two parts of a name are learned from. Its <em>prefix</em>, up to the first colon ("user:", "session:"; the empty
 * prefix for a name without one, such as a hashed name), which keys of one kind nearly always share. And, for a name
 * with more colons, its prefix with its last part, whose runs holding a digit are masked: {@code app:1042:session} and
 * {@code app:77:session} share {@code app: .. session} while {@code app:77:feed} does not, as an application's keys
 * under one prefix differ by their last part. Each counts the types seen lately (what TYPE answered, and guesses that
 * proved right); a key is guessed as the commonest type of its prefix-and-last-part once that holds more than half of
 * its count, else of its prefix under the same rule. So a prefix whose keys are all of one type, an application's
 * fields, and a keyspace of hashed names (guessed as its commonest type, strings usually) need few TYPEs. Where
 * guesses still go wrong often (more than {@link #WRONG_SHARE} of a batch's) it stops guessing for a while.
 * Used by one thread.
 */
public final class TypeGuess {
    /** Prefixes, and shapes, remembered at most; beyond that the table starts over. */
    private static final int SHAPES = 10_000;
    /** The prefix is looked for in the first bytes of a key, and the last part taken from its first bytes. */
    private static final int SHAPE_BYTES = 64;
    /**
     * Batches without guessing after one where more than this share of the guesses were wrong: then a TYPE for every
     * key costs less. A guess needs a type holding most of its keys, so this happens where the keyspace changed.
     */
    static final double WRONG_SHARE = 0.5;
    private static final int PAUSE_BATCHES = 8;
    /** A shape's counts are halved when they reach this: the guess follows what the keyspace holds lately. */
    private static final int WINDOW = 256;
    private static final DataType[] TYPES = DataType.values();

    private final Map<ByteRange, int[]> byPrefix = new HashMap<>();
    private final Map<ByteRange, int[]> byShape = new HashMap<>();
    private int paused;

    /** Whether to guess in the next batch; called once per batch. */
    public boolean guessing() {
        if (paused > 0) {
            paused--;
            return false;
        }
        return true;
    }

    /** The commonest type lately of keys of this key's shape (else its prefix), where it holds more than half of them. */
    public DataType guess(byte[] key) {
        int prefix = prefixLength(key);
        byte[] shape = shape(key, prefix);
        DataType fromShape = shape == null ? null : commonest(byShape.get(new ByteRange(shape)));
        return fromShape != null ? fromShape : commonest(byPrefix.get(new ByteRange(key, prefix)));
    }

    private static DataType commonest(int[] counts) {
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
        int prefix = prefixLength(key);
        count(byPrefix, key, prefix, type);
        byte[] shape = shape(key, prefix);
        if (shape != null) {
            count(byShape, shape, shape.length, type);
        }
    }

    /** Counts {@code type} for the first {@code length} bytes of {@code name}, copied only for a new entry. */
    private static void count(Map<ByteRange, int[]> table, byte[] name, int length, DataType type) {
        int[] counts = table.get(new ByteRange(name, length));
        if (counts == null) {
            if (table.size() >= SHAPES) {
                table.clear();
            }
            counts = new int[TYPES.length];
            table.put(new ByteRange(Arrays.copyOf(name, length), length), counts);
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

    /** The length of the key's prefix: up to its first colon (within the first bytes), else none. */
    private static int prefixLength(byte[] key) {
        int n = Math.min(key.length, SHAPE_BYTES);
        for (int i = 0; i < n; i++) {
            if (key[i] == ':') {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The key's prefix, a zero byte, and its part after its last colon (within the first bytes after it) with every
     * run of letters and digits that holds a digit masked as '#'; null for a key with at most one colon there.
     */
    static byte[] shape(byte[] key, int prefix) {
        if (prefix == 0) {
            return null;
        }
        int last = -1;
        for (int i = key.length - 1; i >= prefix; i--) {
            if (key[i] == ':') {
                last = i;
                break;
            }
        }
        if (last < 0) {
            return null;
        }
        int end = Math.min(key.length, last + 1 + SHAPE_BYTES);
        byte[] out = new byte[prefix + 1 + end - last - 1];
        System.arraycopy(key, 0, out, 0, prefix);
        int len = prefix + 1; // out[prefix] stays 0: a separator no name part has
        int i = last + 1;
        while (i < end) {
            if (!alnum(key[i])) {
                out[len++] = key[i++];
                continue;
            }
            int start = i;
            boolean digit = false;
            while (i < end && alnum(key[i])) {
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
        return len == out.length ? out : Arrays.copyOf(out, len);
    }

    private static boolean alnum(byte b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z';
    }
}
