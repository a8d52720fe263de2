package io.keyferry.engine.snapshot;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RespConnection;
import io.keyferry.engine.sync.ReplicationStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One source copied from its RDB snapshot: KeyFerry connects as a replica and asks for a full resynchronization
 * (PSYNC ? -1), walks the snapshot as it streams in ({@link RdbEntries}) and RESTOREs each selected key with its own
 * snapshot bytes as the payload ({@link Restores}): no value is decoded, no key is typed or read. Keys too big for one
 * command (over 512 KiB, or over 4,096 elements kept as a hash table) are only named while the snapshot passes, and
 * copied afterwards, under the policies, by the SCAN-based copy's own {@link BatchCopier}; module values are listed
 * as unsupported.
 */
public final class SnapshotCopy {
    /** The largest entry restored in one command: the SCAN-based copy's bound for a string read whole. */
    public static final int MAX_ENTRY_BYTES = BatchCopier.SMALL_STRING_BYTES;
    private static final int PROGRESS_EVERY = 1000;
    /** Keys named as unsupported at most (the rest are only counted), as the SCAN copy lists them. */
    private static final int UNSUPPORTED_LISTED = 1000;

    private final String sourceName;
    private final int db;
    private final Function<byte[], byte[]> targetKey;
    private final Set<DataType> types;
    private final BatchCopier bigKeys;
    private final int batchSize;
    private boolean counted;

    /** Where the RESTOREs go: the target, or in a cluster target the master of each key's slot. */
    public interface Target {
        /** The "host:port" of the master that holds the key's slot, or null where the target is a server. */
        String nodeOf(byte[] key);

        /** A logged-in connection of its own to the target (node null) or to one of its masters. */
        RespConnection open(String node);
    }

    /** The source refused to send its snapshot (PSYNC): found before anything was written. */
    public static final class Refused extends IOException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param db        the source's database (the snapshot holds every database)
     * @param targetKey a source key's name in the target, or null where the source's key filters leave it out
     * @param types     the data types copied, or null for all
     * @param bigKeys   copies the keys too big to be restored whole, under the policies
     */
    public SnapshotCopy(String sourceName, int db, Function<byte[], byte[]> targetKey, Set<DataType> types,
                        BatchCopier bigKeys, int batchSize) {
        this.sourceName = sourceName;
        this.db = db;
        this.targetKey = targetKey;
        this.types = types;
        this.bigKeys = bigKeys;
        this.batchSize = batchSize;
    }

    /** The target may hold keys already: each restored key is asked about first, to be counted written or overwritten. */
    public SnapshotCopy counting() {
        this.counted = true;
        return this;
    }

    /**
     * Copies the source's keys as its snapshot holds them.
     *
     * @param source     a logged-in connection to the source, handed over to replication
     * @param target     where the RESTOREs go, each over a connection of its own
     * @param progress   called with the number of entries walked since its last call
     * @param unsupported where keys that cannot be copied are named
     * @throws RdbEntries.NewerFormat before anything is written, where the snapshot's format is newer than known
     */
    public Counters copy(RespConnection source, Target target, LongConsumer progress, List<String> unsupported)
            throws IOException {
        Counters counters = new Counters();
        List<BatchCopier.KeyPair> big = new ArrayList<>();
        ReplicationStream.Snapshot snapshot;
        try {
            snapshot = ReplicationStream.fullSnapshot(source);
        } catch (IllegalStateException e) {
            throw new Refused(e.getMessage(), e);
        }
        try (RoutedRestores restores = new RoutedRestores(target, counted, batchSize)) {
            RdbEntries entries = new RdbEntries(snapshot.in(), db, MAX_ENTRY_BYTES, BatchCopier.WHOLE_ELEMENTS);
            long[] walked = {0};
            entries.walk(new RdbEntries.Visitor() {
                private byte[] target;

                @Override
                public boolean wants(byte[] key, int rdbType) {
                    if (++walked[0] % PROGRESS_EVERY == 0) {
                        progress.accept(PROGRESS_EVERY);
                    }
                    DataType type = RdbEntries.typeOf(rdbType);
                    boolean selected = type == null ? types == null : types == null || types.contains(type);
                    target = selected ? targetKey.apply(key) : null;
                    return target != null;
                }

                @Override
                public void whole(byte[] key, int rdbType, long expireAt, byte[] payload, int length) throws IOException {
                    DataType type = RdbEntries.typeOf(rdbType);
                    if (expireAt > 0 && expireAt <= System.currentTimeMillis()) {
                        counters.add(type, Outcome.EXPIRED); // gone from the source already: not brought back
                        return;
                    }
                    restores.restore(target, type, expireAt, payload, length);
                    counters.addBytes(length);
                }

                @Override
                public void tooBig(byte[] key, int rdbType) {
                    if (rdbType == RdbEntries.MODULE) {
                        counters.add(null, Outcome.UNSUPPORTED);
                        if (unsupported.size() < UNSUPPORTED_LISTED) {
                            unsupported.add(sourceName + ": " + Keys.show(key) + " (a module type)");
                        }
                    } else {
                        big.add(new BatchCopier.KeyPair(key, target));
                    }
                }
            });
            progress.accept(walked[0] % PROGRESS_EVERY);
            counters.addAll(restores.finish());
        } finally {
            snapshot.link().close();
        }
        for (int from = 0; from < big.size(); from += batchSize) {
            List<BatchCopier.KeyPair> batch = big.subList(from, Math.min(big.size(), from + batchSize));
            counters.addAll(bigKeys.write(bigKeys.read(bigKeys.decide(batch), false), unsupported));
        }
        return counters;
    }
}
