package io.keyferry.engine;

import io.keyferry.api.SourceSpec;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.CheckpointStore;
import io.keyferry.engine.copy.Counters;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A prepared migration's sources copied in list order from its checkpoint on, each from its snapshot
 * ({@link SnapshotRun}) or by SCAN ({@link ScanRun}) as the checkpoint says; its progress, and its result from the
 * checkpoint's counts. Beside {@link VerifyRun}, which verifies the same migration.
 */
final class CopyRun {
    private final Migration migration;
    private final Checkpoint checkpoint;
    private final CheckpointStore store;
    private final ScanRun.Pacing pacing;

    CopyRun(Migration migration, CheckpointStore store, ScanRun.Pacing pacing) {
        this.migration = migration;
        this.checkpoint = migration.checkpoint();
        this.store = store;
        this.pacing = pacing;
    }

    /** Copies sources {@code from} (inclusive) to {@code to} (exclusive) that are not done yet. */
    CopyResult run(ProgressListener listener, int from, int to) {
        long started = System.currentTimeMillis();
        long[] scannedThisRun = {0};
        long scannedBefore = checkpoint.sources.stream().mapToLong(s -> s.keysScanned).sum();
        long estimate = 0;
        for (int i = from; i < to; i++) {
            estimate += migration.sourcePlan(i).profile().dbsize();
        }
        long perPart = estimate / pacing.parts();
        int sources = migration.sourceLinks().size();
        for (int i = from; i < to && !checkpoint.finished(); i++) {
            if (checkpoint.sources.get(i).done && (checkpoint.inflight == null || checkpoint.inflight.source != i)) {
                continue;
            }
            SourceSpec s = migration.spec().getSources().get(i);
            int index = i;
            LongConsumer progress = n -> {
                scannedThisRun[0] += n;
                listener.onProgress(new Progress(s.getName(), index, sources, scannedBefore + scannedThisRun[0],
                        perPart, totals(), System.currentTimeMillis() - started, scannedThisRun[0]));
            };
            if (SnapshotBackfill.SNAPSHOT.equals(checkpoint.sources.get(i).backfill)) {
                new SnapshotRun(migration, i).copy(checkpoint, store, progress);
            } else {
                new ScanRun(migration, i, pacing).copy(checkpoint, store, progress);
            }
        }
        // Finished when every source is: a worker's state holds one source, and parts go source by source.
        if (!checkpoint.finished() && checkpoint.sources.stream().allMatch(st -> st.done)) {
            checkpoint.finishedAt = Instant.now().toString();
            store.save(checkpoint);
        }
        return result(System.currentTimeMillis() - started);
    }

    private CopyResult result(long elapsed) {
        Map<String, Counters> perSource = new LinkedHashMap<>();
        for (Checkpoint.SourceState s : checkpoint.sources) {
            perSource.put(s.name, s.counters.copy());
        }
        long scanned = checkpoint.sources.stream().mapToLong(s -> s.keysScanned).sum();
        io.keyferry.engine.undo.UndoJournal journal = migration.journal();
        return new CopyResult(totals(), perSource, scanned, List.copyOf(checkpoint.unsupported), elapsed,
                checkpoint.startedAt, checkpoint.finishedAt, pacing.backoff().pauses(), pacing.backoff().pausedNanos(),
                journal == null ? null : new CopyResult.UndoSize(journal.keys(), journal.bytes()));
    }

    private Counters totals() {
        Counters total = new Counters();
        for (Checkpoint.SourceState s : checkpoint.sources) {
            total.addAll(s.counters);
        }
        return total;
    }
}
