package io.keyferry.engine.copy;

import io.keyferry.engine.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
    private final TargetBackoff backoff;
    private RateLimiter opsLimiter = new RateLimiter(0);
    private java.util.function.LongSupplier sourceOps = () -> 0;
    private long opsPaid;

    public SourceCopier(int index, SourceScan scan, BatchCopier batches, RateLimiter rateLimiter, TargetBackoff backoff) {
        this.index = index;
        this.scan = scan;
        this.batches = batches;
        this.rateLimiter = rateLimiter;
        this.backoff = backoff;
    }

    /**
     * Also paces the commands sent to the source (spec.worker.rateLimit.sourceOpsPerSecond): after each batch the
     * commands it cost ({@code sent}, a running count) are paid for, as keys are.
     */
    public SourceCopier pacingSourceCommands(RateLimiter limiter, java.util.function.LongSupplier sent) {
        this.opsLimiter = limiter;
        this.sourceOps = sent;
        this.opsPaid = sent.getAsLong();
        return this;
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
        if (!state.done) {
            copyFrom(state.cursor, cp, state, saver, afterBatch);
        }
        saver.accept(cp);
    }

    /** A batch scanned, decided and read, waiting to be written. */
    private record Ready(SourceScan.Page page, BatchCopier.Prepared batch) {}

    /**
     * Reads ahead on a thread of its own: while one batch is written, the next is scanned, decided and
     * read (their keys differ, so the next batch's decisions do not depend on the writes in flight).
     * At most one batch waits. The writing side journals, writes and commits one batch at a time.
     */
    private void copyFrom(String cursor, Checkpoint cp, Checkpoint.SourceState state, Consumer<Checkpoint> saver,
                          java.util.function.LongConsumer afterBatch) {
        BlockingQueue<Object> ready = new ArrayBlockingQueue<>(1);
        Thread reader = new Thread(() -> readAhead(cursor, ready), "keyferry-read-" + index);
        reader.setDaemon(true);
        reader.start();
        try {
            while (true) {
                Object next = ready.take();
                if (next instanceof RuntimeException e) {
                    throw e;
                }
                if (next instanceof Error e) {
                    throw e;
                }
                Ready r = (Ready) next;
                Checkpoint.Inflight batch = new Checkpoint.Inflight();
                batch.source = index;
                batch.cursorAfter = r.page().cursor();
                batch.scanFinished = r.page().finished();
                batch.keysScanned = r.page().scanned();
                batch.decisions = r.batch().decisions();
                cp.inflight = batch;
                saver.accept(cp);
                long writeStarted = System.nanoTime();
                Counters written = batches.write(r.batch(), unsupported(cp));
                backoff.afterBatch(System.nanoTime() - writeStarted, written.keysWritten(), written.bytes());
                commit(cp, state, batch, written);
                afterBatch.accept(batch.keysScanned);
                rateLimiter.acquire(batch.keysScanned);
                long sent = sourceOps.getAsLong();
                opsLimiter.acquire(sent - opsPaid);
                opsPaid = sent;
                if (batch.scanFinished) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            reader.interrupt();
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readAhead(String from, BlockingQueue<Object> ready) {
        String cursor = from;
        try {
            while (true) {
                SourceScan.Page page = scan.next(cursor);
                List<BatchCopier.KeyPair> pairs = new ArrayList<>(page.keys().size());
                for (byte[] key : page.keys()) {
                    pairs.add(new BatchCopier.KeyPair(key, scan.targetKey(key)));
                }
                List<Decision> decisions = pairs.isEmpty() ? List.of() : batches.decide(pairs);
                ready.put(new Ready(page, batches.read(decisions, false)));
                if (page.finished()) {
                    return;
                }
                cursor = page.cursor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the writing side stopped
        } catch (RuntimeException | Error e) {
            try {
                ready.put(e); // the writing side takes it after the batch it is writing, and stops
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }
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
