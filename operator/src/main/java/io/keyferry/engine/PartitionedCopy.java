package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.copy.Counters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A copy with spec.worker.parallelism workers in one process (`keyferry run`): each source is split into
 * that many disjoint parts ({@link io.keyferry.engine.copy.SourceScan}), copied at the same time by as many
 * {@link Migration}s, each with its own connections and its own checkpoint (DIR/part-K-of-N); the sources
 * still go one after another, in list order. With one worker it is exactly one Migration on DIR.
 */
public final class PartitionedCopy implements AutoCloseable {
    private final List<FileCheckpointStore> stores = new ArrayList<>();
    private final List<Migration> parts = new ArrayList<>();
    private final Path stateDir;
    private final int sourceCount;
    /** The undo journal every part shares (DIR/undo.journal, or spec.undo.store); opened by the first part that keeps one. */
    private io.keyferry.engine.undo.UndoJournal journal;

    public PartitionedCopy(String name, DataMigrationSpec spec, SecretResolver secrets, Path stateDir) {
        Integer p = spec.getWorker().getParallelism();
        int n = p == null || p < 1 ? 1 : p;
        this.sourceCount = spec.getSources().size();
        this.stateDir = stateDir;
        try {
            for (int k = 0; k < n; k++) {
                FileCheckpointStore store = new FileCheckpointStore(n == 1 ? stateDir : stateDir.resolve("part-" + k + "-of-" + n));
                stores.add(store);
                parts.add(new Migration(name, spec, secrets, store).journalingUndo((target, undoStore) -> journal(
                        () -> io.keyferry.engine.undo.UndoJournal.open(spec.getUndo(), name, undoStore,
                                () -> new io.keyferry.engine.undo.FileSegmentStore(stateDir)))).keepingListBases(name));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private synchronized io.keyferry.engine.undo.UndoJournal journal(java.util.function.Supplier<io.keyferry.engine.undo.UndoJournal> opening) {
        if (journal == null) {
            journal = opening.get();
        }
        return journal;
    }

    /** The undo journal the copy keeps (after {@link #prepare()}), or null. */
    public io.keyferry.engine.undo.UndoJournal journal() {
        return journal;
    }

    /** Every part's writes are guarded against the application's (it writes both stores meanwhile). */
    public PartitionedCopy guardingWrites() {
        parts.forEach(Migration::guardingWrites);
        return this;
    }

    /** Forgets the saved state of every part, but for the undo journal (a copy started over still undoes to before the first). */
    public void clear() {
        stores.forEach(FileCheckpointStore::clear); // not the undo journal: its first records are still the prior states
    }

    /** Probes every endpoint (once per worker) and returns the plan; nothing is written. */
    public CopyPlan prepare() {
        CopyPlan plan = null;
        for (Migration m : parts) {
            CopyPlan p = m.prepare();
            plan = plan == null ? p : plan;
        }
        return plan;
    }

    /** The migration that verifies (verification does not depend on how the copy was split). */
    public Migration first() {
        return parts.get(0);
    }

    public int workers() {
        return parts.size();
    }

    public CopyResult copy(ProgressListener listener) {
        if (parts.size() == 1) {
            return parts.get(0).copy(listener);
        }
        int n = parts.size();
        Progress[] latest = new Progress[n];
        List<CopyResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "keyferry-part");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < sourceCount; i++) {
                int source = i;
                List<Future<CopyResult>> running = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    int part = k;
                    running.add(pool.submit(() -> parts.get(part).copySource(source, part, n, p -> {
                        synchronized (latest) {
                            latest[part] = p;
                            listener.onProgress(sum(latest));
                        }
                    })));
                }
                RuntimeException failure = null;
                for (Future<CopyResult> f : running) {
                    try {
                        results.add(f.get());
                    } catch (ExecutionException e) {
                        if (failure == null) {
                            failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                if (failure != null) {
                    throw failure; // every part stopped at a checkpoint; a rerun resumes each
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return combine(results.subList(Math.max(0, results.size() - n), results.size()));
    }

    /** The parts' progress as one: sums, the slowest part's elapsed time. */
    private static Progress sum(Progress[] latest) {
        long scanned = 0, estimate = 0, elapsed = 0, thisRun = 0;
        Counters counters = new Counters();
        Progress any = null;
        for (Progress p : latest) {
            if (p == null) {
                continue;
            }
            any = p;
            scanned += p.keysScanned();
            estimate += p.estimatedTotal();
            thisRun += p.keysThisRun();
            elapsed = Math.max(elapsed, p.elapsedMillis());
            counters.addAll(p.counters());
        }
        return new Progress(any.source(), any.sourceIndex(), any.sourceCount(), scanned, estimate, counters, elapsed, thisRun);
    }

    /**
     * The last source's results of every part hold the whole copy: each part's checkpoint counts every source it
     * copied, so the parts' final results are summed.
     */
    private static CopyResult combine(List<CopyResult> last) {
        Counters total = new Counters();
        Map<String, Counters> perSource = new LinkedHashMap<>();
        List<String> unsupported = new ArrayList<>();
        long scanned = 0, elapsed = 0, pauses = 0, paused = 0;
        String started = null, finished = null;
        for (CopyResult r : last) {
            total.addAll(r.total());
            r.perSource().forEach((name, c) -> perSource.computeIfAbsent(name, x -> new Counters()).addAll(c));
            unsupported.addAll(r.unsupported());
            scanned += r.keysScanned();
            elapsed = Math.max(elapsed, r.elapsedMillis());
            pauses += r.targetPauses();
            paused += r.targetPausedNanos();
            started = started == null || (r.startedAt() != null && r.startedAt().compareTo(started) < 0) ? r.startedAt() : started;
            finished = finished == null || (r.finishedAt() != null && r.finishedAt().compareTo(finished) > 0) ? r.finishedAt() : finished;
        }
        return new CopyResult(total, perSource, scanned, unsupported.size() > 1000 ? unsupported.subList(0, 1000) : unsupported,
                elapsed, started, finished, pauses, paused, last.isEmpty() ? null : last.get(last.size() - 1).undo());
    }

    @Override
    public void close() {
        parts.forEach(Migration::close);
        if (journal != null) {
            journal.close();
            journal = null;
        }
        stores.forEach(FileCheckpointStore::close);
    }
}
