package io.keyferry.engine;

import io.keyferry.api.EndpointUri;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.CheckpointStore;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.RespConnection;
import io.keyferry.engine.snapshot.RdbEntries;
import io.keyferry.engine.snapshot.SnapshotCopy;
import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * Source {@code i} of a migration backfilled from its RDB snapshot ({@link SnapshotBackfill} chose it): the state is
 * saved as started before anything is asked of the source, and as done with the snapshot's counts at the end. A run
 * stopped midway takes the snapshot again from its start, its counts reset: every key is RESTOREd with REPLACE, so
 * the keys the stopped run restored are replaced by their newer values. A cluster's masters are copied one after the
 * other, each from its own snapshot (its slots' keys), and a stopped run takes them all again; where workers split
 * the cluster by master, each takes its own masters' snapshots.
 */
final class SnapshotRun {
    private final Migration migration;
    private final int index;

    SnapshotRun(Migration migration, int index) {
        this.migration = migration;
        this.index = index;
    }

    void copy(Checkpoint cp, CheckpointStore store, LongConsumer progress) {
        SourceSpec s = migration.spec().getSources().get(index);
        Checkpoint.SourceState state = cp.sources.get(index);
        state.keysScanned = 0;
        state.counters = new Counters();
        cp.unsupported.removeIf(k -> k.startsWith(s.getName() + ": ")); // a stopped snapshot's, listed again
        store.save(cp);
        KeyMapping mapping = new KeyMapping(migration.spec());
        SnapshotCopy copy = new SnapshotCopy(s.getName(), EndpointUri.parse(s.getEndpoint().getUri()).db(),
                key -> mapping.targetKey(index, key), CopyStart.typeFilter(s.getKeys()), migration.copier(index),
                migration.spec().getWorker().getBatchSize());
        if (index > 0 || migration.targetProfile().dbsize() > 0) {
            copy.counting(); // the target may hold the key: counted overwritten where it did
        }
        String field = "spec.sources[" + index + "].endpoint";
        Counters counters = new Counters();
        long[] walked = {0};
        for (RedisLink.Shard shard : migration.mastersCopied(index)) { // a cluster's (this part's) masters in turn
            try {
                counters.addAll(copyShard(copy, shard.node(), n -> {
                    walked[0] += n;
                    progress.accept(n);
                }, cp));
            } catch (RdbEntries.NewerFormat | SnapshotCopy.Refused e) {
                throw new MigrationInputException(field + ": " + (shard.node() == null ? "" : "node " + shard.node() + ": ")
                        + e.getMessage() + "; set spec.worker.backfill: Scan to copy this source by SCAN"
                        + (walked[0] == 0 ? " (nothing was written)" : ""));
            }
        }
        state.counters = counters;
        state.keysScanned = walked[0];
        state.done = true;
        store.save(cp);
    }

    /** One server's snapshot (the source's, or a cluster master's), copied into the target. */
    private Counters copyShard(SnapshotCopy copy, String node, LongConsumer progress, Checkpoint cp)
            throws RdbEntries.NewerFormat, SnapshotCopy.Refused {
        RespConnection source = migration.openRawSource(index, node);
        try {
            return copy.copy(source, new SnapshotCopy.Target() {
                @Override
                public String nodeOf(byte[] key) {
                    return migration.targetNodeOf(key);
                }

                @Override
                public RespConnection open(String node) {
                    return migration.openRawTarget(node);
                }
            }, progress, cp.unsupported);
        } catch (RdbEntries.NewerFormat | SnapshotCopy.Refused e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(source.label() + ": the snapshot backfill stopped: " + e.getMessage()
                    + "; a rerun takes the snapshot again", e);
        } finally {
            source.close();
        }
    }
}
