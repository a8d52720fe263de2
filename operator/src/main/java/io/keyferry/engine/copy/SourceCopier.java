package io.keyferry.engine.copy;

import io.keyferry.api.KeySelector;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.nio.charset.StandardCharsets;
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
    private final RedisLink source;
    private final ServerProfile sourceProfile;
    private final BatchCopier batches;
    private final KeySelector keys;
    private final int batchSize;
    private final RateLimiter rateLimiter;

    public SourceCopier(int index, RedisLink source, ServerProfile sourceProfile, BatchCopier batches,
                        KeySelector keys, int batchSize, RateLimiter rateLimiter) {
        this.index = index;
        this.source = source;
        this.sourceProfile = sourceProfile;
        this.batches = batches;
        this.keys = keys;
        this.batchSize = batchSize;
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
        Glob filter = keys.getMatch() == null ? null : new Glob(keys.getMatch().getBytes(StandardCharsets.UTF_8));
        ScanArgs scanArgs = scanArgs(filter);
        boolean filterHere = filter != null && sourceProfile.prefixOnlyMatch() && !filter.isPrefixPattern();
        byte[] prefix = keys.getAddPrefix() == null ? new byte[0] : keys.getAddPrefix().getBytes(StandardCharsets.UTF_8);
        while (!state.done) {
            KeyScanCursor<byte[]> page = source.call(source.async().scan(ScanCursor.of(state.cursor), scanArgs));
            List<BatchCopier.KeyPair> pairs = new ArrayList<>(page.getKeys().size());
            for (byte[] key : page.getKeys()) {
                if (!filterHere || filter.matches(key)) {
                    pairs.add(new BatchCopier.KeyPair(key, Keys.concat(prefix, key)));
                }
            }
            Checkpoint.Inflight batch = new Checkpoint.Inflight();
            batch.source = index;
            batch.cursorAfter = page.getCursor();
            batch.scanFinished = page.isFinished();
            batch.keysScanned = page.getKeys().size();
            batch.decisions = pairs.isEmpty() ? List.of() : batches.decide(pairs);
            cp.inflight = batch;
            saver.accept(cp);
            commit(cp, state, batch, batches.execute(batch.decisions, false, unsupported(cp)));
            afterBatch.accept(batch.keysScanned);
            rateLimiter.acquire(batch.keysScanned);
        }
        saver.accept(cp);
    }

    private ScanArgs scanArgs(Glob filter) {
        ScanArgs args = ScanArgs.Builder.limit(batchSize);
        if (filter == null) {
            return args;
        }
        // Kvrocks matches prefixes only: send the literal prefix and filter the rest here.
        byte[] match = sourceProfile.prefixOnlyMatch() && !filter.isPrefixPattern()
                ? Keys.concat(filter.literalPrefix(), new byte[] {'*'})
                : keys.getMatch().getBytes(StandardCharsets.UTF_8);
        return args.match(match);
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
