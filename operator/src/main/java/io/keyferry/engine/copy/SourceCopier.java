package io.keyferry.engine.copy;

import io.keyferry.engine.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scans one source batch by batch. Before a batch writes anything its decisions are saved as the
 * batch in flight; after it, the cursor and counts move on. A run that stops anywhere resumes by
 * repeating the batch in flight under its saved decisions, then scanning on from its cursor.
 */
public final class SourceCopier {
    private static final int UNSUPPORTED_LISTED = 1000;

    private final int index;
    private final SourceScan scan;
    private final BatchCopier batches;
    private final RateLimiter rateLimiter;

    public SourceCopier(int index, SourceScan scan, BatchCopier batches, RateLimiter rateLimiter) {
        this.index = index;
        this.scan = scan;
        this.batches = batches;
        this.rateLimiter = rateLimiter;
    }

    /**
     * Copies the source to its end, or to where it was done already.
     *
     * @param afterBatch called with the number of keys scanned, after every batch's state was saved
     */
    public void copy(Checkpoint cp, Consumer<Checkpoint> saver, java.util.function.LongConsumer afterBatch) {
        Checkpoint.SourceState state = cp.sources.get(index);
        if (cp.inflight != null && cp.inflight.source == index) {
            Checkpoint.Inflight replay = cp.inflight;
            commit(cp, state, replay, batches.execute(replay.decisions, true, unsupported(cp)));
            saver.accept(cp);
            afterBatch.accept(replay.keysScanned);
        }
        while (!state.done) {
            SourceScan.Page page = scan.next(state.cursor);
            List<BatchCopier.KeyPair> pairs = new ArrayList<>(page.keys().size());
            for (byte[] key : page.keys()) {
                pairs.add(new BatchCopier.KeyPair(key, scan.targetKey(key)));
            }
            Checkpoint.Inflight batch = new Checkpoint.Inflight();
            batch.source = index;
            batch.cursorAfter = page.cursor();
            batch.scanFinished = page.finished();
            batch.keysScanned = page.scanned();
            batch.decisions = pairs.isEmpty() ? List.of() : batches.decide(pairs);
            cp.inflight = batch;
            saver.accept(cp);
            commit(cp, state, batch, batches.execute(batch.decisions, false, unsupported(cp)));
            afterBatch.accept(batch.keysScanned);
            rateLimiter.acquire(batch.keysScanned);
        }
        saver.accept(cp);
    }

    private static void commit(Checkpoint cp, Checkpoint.SourceState state, Checkpoint.Inflight batch, Counters done) {
        Counters total = Counters.fromMap(state.counters);
        total.addAll(done);
        state.counters = total.toMap();
        state.keysScanned += batch.keysScanned;
        state.cursor = batch.cursorAfter;
        state.done = batch.scanFinished;
        cp.inflight = null;
    }

    private static List<String> unsupported(Checkpoint cp) {
        return cp.unsupported.size() >= UNSUPPORTED_LISTED ? new ArrayList<>() : cp.unsupported;
    }
}
