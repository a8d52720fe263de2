package io.keyferry.engine.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small hash, set or sorted set as read: its fields or members in the order the server gave them, each with
 * its value (a hash's value, a sorted set's score as printed; none for a set). Nothing is hashed until a
 * lookup needs it: a key checked against one source is compared in order with what the target answers (HMGET
 * and SMISMEMBER answer in the order asked, a sorted set comes back in the order it was read), and only a merge
 * of several sources or members back in another order builds the index. Hashing every field of a million small
 * keys into maps was a fifth of verification's CPU.
 */
final class Elements {
    private final List<byte[]> keys;
    private final List<byte[]> values;
    private Map<Key, Integer> index;

    private Elements(List<byte[]> keys, List<byte[]> values) {
        this.keys = keys;
        this.values = values;
    }

    /** None yet. */
    static Elements empty() {
        return new Elements(new ArrayList<>(), new ArrayList<>());
    }

    /** From a hash's or sorted set's flat reply: field, value, field, value, ... (member, score for a sorted set). */
    static Elements pairs(List<Object> flat) {
        List<byte[]> keys = new ArrayList<>(flat.size() / 2);
        List<byte[]> values = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            keys.add((byte[]) flat.get(i));
            values.add((byte[]) flat.get(i + 1));
        }
        return new Elements(keys, values);
    }

    /** From a set's reply: its members, without values. */
    static Elements members(List<Object> flat) {
        List<byte[]> keys = new ArrayList<>(flat.size());
        for (Object member : flat) {
            keys.add((byte[]) member);
        }
        return new Elements(keys, new ArrayList<>(java.util.Collections.nCopies(keys.size(), null)));
    }

    int size() {
        return keys.size();
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    byte[] key(int i) {
        return keys.get(i);
    }

    /** The i-th value; null where any value will do (filled onto a target of unknown content) or for a set. */
    byte[] value(int i) {
        return values.get(i);
    }

    /** The fields or members in order, as command arguments. */
    List<byte[]> keys() {
        return keys;
    }

    /** Whether every value is known (no member filled onto an unknown target). */
    boolean valuesKnown() {
        return !values.contains(null);
    }

    /** Where a field or member stands, or -1. */
    int indexOf(byte[] key) {
        if (index == null) {
            index = new HashMap<>(keys.size() * 4 / 3 + 1);
            for (int i = 0; i < keys.size(); i++) {
                index.put(new Key(keys.get(i)), i);
            }
        }
        Integer at = index.get(new Key(key));
        return at == null ? -1 : at;
    }

    /** Sets a field's value (a member's score), adding it at the end where it is new. */
    void put(byte[] key, byte[] value) {
        int at = indexOf(key);
        if (at >= 0) {
            values.set(at, value);
        } else {
            index.put(new Key(key), keys.size());
            keys.add(key);
            values.add(value);
        }
    }

    /** A byte string as a map key: compared by content, its hash computed once. */
    private static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
