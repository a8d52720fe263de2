package io.keyferry.engine.sync;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which user keys a Kvrocks write batch changed in one namespace. Kvrocks keeps a key's metadata (type, expiry,
 * version, size) in the metadata column family under {@code [namespace length][namespace][slot, in a cluster][key]},
 * and its elements (hash fields, list items, set members, scores, stream entries) in the other data column families
 * under {@code [namespace length][namespace][slot][key length, 4 bytes big-endian][key][version, 8 bytes][sub-key]}.
 * Every database of a Kvrocks is one keyspace, so the database a client selected does not show. A range deletion that
 * reaches into the namespace (FLUSHDB, FLUSHALL) cannot be followed key by key.
 */
final class KvrocksKeys {
    /** The namespace of the default (admin) user: the only one POLLUPDATES, an admin command, is followed in. */
    static final String DEFAULT_NAMESPACE = "__namespace";

    private static final int METADATA = 1;
    /** Column families whose keys are elements of a user key (primary and secondary sub-keys, streams). */
    private static final Set<Integer> ELEMENTS = Set.of(0, 2, 5);
    private static final int VERSION = 8;

    private final byte[] prefix;
    private final int slot;

    /** @param slotEncoded whether keys carry a cluster slot after the namespace (cluster-enabled Kvrocks) */
    KvrocksKeys(String namespace, boolean slotEncoded) {
        byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
        this.prefix = new byte[ns.length + 1];
        prefix[0] = (byte) ns.length;
        System.arraycopy(ns, 0, prefix, 1, ns.length);
        this.slot = slotEncoded ? 2 : 0;
    }

    /** What a batch did to the namespace's keys: the keys it wrote or deleted, or why it cannot be followed. */
    ChangedKeys.Effect of(WriteBatchReader.Batch batch) {
        Set<ByteBuffer> keys = new LinkedHashSet<>();
        for (WriteBatchReader.Entry e : batch.entries()) {
            if (e.isRange()) {
                if ((e.columnFamily() == METADATA || ELEMENTS.contains(e.columnFamily())) && reaches(e)) {
                    return new ChangedKeys.Unmirrorable("a range deletion (FLUSHDB or FLUSHALL) at sequence " + batch.sequence()
                            + " emptied the source");
                }
                continue;
            }
            byte[] key = userKey(e);
            if (key != null) {
                keys.add(ByteBuffer.wrap(key));
            }
        }
        return keys.isEmpty() ? new ChangedKeys.Nothing()
                : new ChangedKeys.Keys(keys.stream().map(ByteBuffer::array).toList());
    }

    /** The user key an entry belongs to; null for other namespaces and column families (pub/sub, scripts, search). */
    private byte[] userKey(WriteBatchReader.Entry e) {
        byte[] k = e.key();
        int from = prefix.length + slot;
        if (k.length < from || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
            return null;
        }
        if (e.columnFamily() == METADATA) {
            return Arrays.copyOfRange(k, from, k.length);
        }
        if (!ELEMENTS.contains(e.columnFamily()) || k.length < from + 4) {
            return null;
        }
        int length = ByteBuffer.wrap(k, from, 4).getInt();
        if (length < 0 || from + 4 + length + VERSION > k.length) {
            throw new IllegalArgumentException("a Kvrocks sub-key in column family " + e.columnFamily() + " claims a user key of "
                    + length + " bytes in " + k.length);
        }
        return Arrays.copyOfRange(k, from + 4, from + 4 + length);
    }

    /** Whether [key, rangeEnd) holds keys of the namespace: it starts before the namespace ends and ends after it starts. */
    private boolean reaches(WriteBatchReader.Entry e) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        int i = end.length - 1;
        while (i >= 0 && end[i] == (byte) 0xff) {
            end[i--] = 0;
        }
        boolean unbounded = i < 0;
        if (!unbounded) {
            end[i]++;
        }
        boolean startsBefore = unbounded || Arrays.compareUnsigned(e.key(), end) < 0;
        return startsBefore && Arrays.compareUnsigned(e.rangeEnd(), prefix) > 0;
    }
}
