package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Guesses a source key's type from its name, so that a command of that type (a copy's size, a verification's
 * bounded read) can be sent with its PTTL instead of after a TYPE: keys that share a prefix ("user:",
 * "session:", up to the first colon) nearly always share a type. A right guess saves the source a TYPE and a
 * round trip, and it reads the key while the key is in its cache; a wrong one costs an error reply (WRONGTYPE)
 * and one more round trip. Where guesses go wrong often (a
 * keyspace whose names say nothing about types) it stops guessing for a while.
 * Used by one thread.
 */
public final class TypeGuess {
    /** Prefixes remembered at most; beyond that the table starts over. */
    private static final int PREFIXES = 10_000;
    /** The colon is looked for in the first bytes of a key only. */
    private static final int PREFIX_BYTES = 64;
    /** Batches without guessing after one where more than a quarter of the guesses were wrong. */
    private static final int PAUSE_BATCHES = 8;

    private final Map<ByteBuffer, DataType> byPrefix = new HashMap<>();
    private int paused;

    /** Whether to guess in the next batch; called once per batch. */
    public boolean guessing() {
        if (paused > 0) {
            paused--;
            return false;
        }
        return true;
    }

    /** The type last seen for keys with this key's prefix, or null. */
    public DataType guess(byte[] key) {
        return byPrefix.get(ByteBuffer.wrap(key, 0, prefixLength(key)));
    }

    /** Remembers what TYPE said of a key. */
    public void learn(byte[] key, DataType type) {
        if (type == null) {
            return;
        }
        if (byPrefix.size() >= PREFIXES) {
            byPrefix.clear();
        }
        byPrefix.put(ByteBuffer.wrap(Arrays.copyOf(key, prefixLength(key))), type);
    }

    /** How the guesses of a batch went. */
    public void outcome(int right, int wrong) {
        if (wrong * 4 > right + wrong) {
            paused = PAUSE_BATCHES;
        }
    }

    /** The length of the key's prefix: up to its first colon (within the first bytes), else none. */
    private static int prefixLength(byte[] key) {
        int n = Math.min(key.length, PREFIX_BYTES);
        for (int i = 0; i < n; i++) {
            if (key[i] == ':') {
                return i + 1;
            }
        }
        return 0;
    }
}
