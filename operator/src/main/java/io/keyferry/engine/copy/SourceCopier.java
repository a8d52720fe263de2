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
    /** Set while the application writes both stores: batches go one at a time, each guarded. */
    private GuardedCopy guarded;
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
     * Copies every batch guarded against the application's writes ({@link GuardedCopy}), one batch at a time on
     * this thread: the WATCH must come before the batch is decided, on the connection that writes it.
     */
    public SourceCopier guarded() {
        this.guarded = new GuardedCopy(batches);
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
            // Guarded, the batch is decided again: decisions made before the stop may be stale by now.
            commit(cp, state, replay, guarded != null
                    ? guarded.copy(pairs(replay.decisions), d -> { }, unsupported(cp))
                    : batches.execute(replay.decisions, true, unsupported(cp)));
            saver.accept(cp);
            afterBatch.accept(replay.keysScanned);
        }
        if (!state.done && guarded != null) {
            copyGuardedFrom(state.cursor, cp, state, saver, afterBatch);
        } else if (!state.done) {
            copyFrom(state.cursor, cp, state, saver, afterBatch);
        }
        saver.accept(cp);
    }

    /** A page of keys, decided, waiting to be read. */
    private record Decided(SourceScan.Page page, BatchCopier.Decided batch) {}

    /** A batch scanned, decided and read, waiting to be written. */
    private record Ready(SourceScan.Page page, BatchCopier.Prepared batch) {}

    /**
     * Works in four stages, each on a thread and connections of its own, each on another batch: one thread
     * scans, one decides, one reads, and this one journals, writes and commits one batch at a time. A
     * batch's decisions do not depend on the writes still in flight, because its keys differ from theirs.
     * The source serves the scan, the decisions and the reads at once, so it never waits for KeyFerry
     * to take in one reply before it gets the next command (one thread doing all three in turn left it
     * idle a third of the time). At most one batch waits between two stages.
     */
    private void copyFrom(String cursor, Checkpoint cp, Checkpoint.SourceState state, Consumer<Checkpoint> saver,
                          java.util.function.LongConsumer afterBatch) {
        BlockingQueue<Object> pages = new ArrayBlockingQueue<>(2);
        BlockingQueue<Object> decided = new ArrayBlockingQueue<>(1);
        BlockingQueue<Object> ready = new ArrayBlockingQueue<>(1);
        List<Thread> stages = List.of(
                stage("scan", () -> scan(cursor, pages)),
                stage("decide", () -> relay(pages, decided, (SourceScan.Page page) -> new Decided(page, decide(page)))),
                stage("read", () -> relay(decided, ready, (Decided d) -> new Ready(d.page(), batches.read(d.batch(), false)))));
        try {
            while (true) {
                Ready r = next(ready);
                Checkpoint.Inflight batch = inflight(r.page(), r.batch().decisions());
                cp.inflight = batch;
                saver.accept(cp);
                long writeStarted = System.nanoTime();
                Counters written = batches.write(r.batch(), unsupported(cp));
                backoff.afterBatch(System.nanoTime() - writeStarted, written.keysWritten(), written.bytes());
                commit(cp, state, batch, written);
                afterBatch.accept(batch.keysScanned);
                pace(batch.keysScanned);
                if (batch.scanFinished) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            stages.forEach(Thread::interrupt);
            for (Thread t : stages) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** One batch at a time: scanned, then copied guarded, its decisions journaled before anything is written. */
    private void copyGuardedFrom(String cursor, Checkpoint cp, Checkpoint.SourceState state, Consumer<Checkpoint> saver,
                                 java.util.function.LongConsumer afterBatch) {
        String from = cursor;
        while (true) {
            SourceScan.Page page = scan.next(from);
            Checkpoint.Inflight batch = inflight(page, List.of());
            Counters written = guarded.copy(pairs(page), decisions -> {
                batch.decisions = decisions;
                cp.inflight = batch;
                saver.accept(cp);
            }, unsupported(cp));
            commit(cp, state, batch, written);
            afterBatch.accept(batch.keysScanned);
            pace(batch.keysScanned);
            if (batch.scanFinished) {
                return;
            }
            from = page.cursor();
        }
    }

    private Checkpoint.Inflight inflight(SourceScan.Page page, List<Decision> decisions) {
        Checkpoint.Inflight batch = new Checkpoint.Inflight();
        batch.source = index;
        batch.cursorAfter = page.cursor();
        batch.scanFinished = page.finished();
        batch.keysScanned = page.scanned();
        batch.decisions = decisions;
        return batch;
    }

    /** Waits as the keys/s and source ops/s limits ask, after a batch. */
    private void pace(long keysScanned) {
        rateLimiter.acquire(keysScanned);
        long sent = sourceOps.getAsLong();
        opsLimiter.acquire(sent - opsPaid);
        opsPaid = sent;
    }

    private List<BatchCopier.KeyPair> pairs(SourceScan.Page page) {
        List<BatchCopier.KeyPair> pairs = new ArrayList<>(page.keys().size());
        for (byte[] key : page.keys()) {
            pairs.add(new BatchCopier.KeyPair(key, scan.targetKey(key)));
        }
        return pairs;
    }

    private static List<BatchCopier.KeyPair> pairs(List<Decision> decisions) {
        return decisions.stream().map(d -> new BatchCopier.KeyPair(d.sourceKey(), d.targetKey())).toList();
    }

    private Thread stage(String name, Runnable work) {
        Thread t = new Thread(work, "keyferry-" + name + "-" + index);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private BatchCopier.Decided decide(SourceScan.Page page) {
        List<BatchCopier.KeyPair> pairs = pairs(page);
        return pairs.isEmpty() ? BatchCopier.Decided.of(List.of()) : batches.decide(pairs);
    }

    private void scan(String from, BlockingQueue<Object> out) {
        String cursor = from;
        try {
            while (true) {
                SourceScan.Page page = scan.next(cursor);
                out.put(page);
                if (page.finished()) {
                    return;
                }
                cursor = page.cursor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the writing side stopped
        } catch (RuntimeException | Error e) {
            pass(out, e);
        }
    }

    /** A stage: takes each item from {@code in}, hands on what {@code work} makes of it, to the last page. */
    @SuppressWarnings("unchecked")
    private static <I, O> void relay(BlockingQueue<Object> in, BlockingQueue<Object> out, java.util.function.Function<I, O> work) {
        try {
            while (true) {
                Object item = in.take();
                if (item instanceof Throwable failed) {
                    out.put(failed); // an earlier stage failed: the writing side takes it after what it is writing
                    return;
                }
                O made = work.apply((I) item);
                out.put(made);
                if (lastPage(made)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            pass(out, e);
        }
    }

    private static boolean lastPage(Object item) {
        return item instanceof Decided d ? d.page().finished() : ((Ready) item).page().finished();
    }

    private static void pass(BlockingQueue<Object> out, Throwable failure) {
        try {
            out.put(failure);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private static Ready next(BlockingQueue<Object> ready) throws InterruptedException {
        Object next = ready.take();
        if (next instanceof RuntimeException e) {
            throw e;
        }
        if (next instanceof Error e) {
            throw e;
        }
        return (Ready) next;
    }

    private static void commit(Checkpoint cp, Checkpoint.SourceState state, Checkpoint.Inflight batch, Counters done) {
        state.counters.addAll(done);
        state.keysScanned += batch.keysScanned;
        state.cursor = batch.cursorAfter;
        state.done = batch.scanFinished;
        cp.inflight = null;
    }

    private static List<String> unsupported(Checkpoint cp) {
        return cp.unsupported.size() >= UNSUPPORTED_LISTED ? new ArrayList<>() : cp.unsupported;
    }
}
