package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.Migration;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Live sync of the sources into the target: each source is followed from before the backfill starts (a Redis as its
 * replica, a Kvrocks through its write-ahead log), every key a change touches is collected ({@link SourceFeed}), and
 * the collected keys are copied again under the policies in batches ({@link Resync}). A batch's positions are saved
 * only after it was applied, so after a crash the follow resumes from there (PSYNC, POLLUPDATES), applying at worst
 * some changes again, which copying again makes harmless.
 */
public final class Follow implements AutoCloseable {
    /** A batch is applied when this many keys are collected, or {@link #BATCH_MILLIS} after its first. */
    static final int BATCH_KEYS = 1000;
    static final long BATCH_MILLIS = 20;

    /**
     * Where a source stands: what is applied, how far its own position is ahead ({@code behind}: bytes of a Redis
     * replication stream, records of a Kvrocks write-ahead log), how old the oldest change not applied yet is;
     * {@code caughtUpAt}: the latest time (epoch ms) before which every change the source took is known to be applied,
     * 0 while not known (the source's own position is sampled at each lag report and counts once the applied position
     * reaches it).
     */
    public record Lag(String source, Position applied, long behind, double secondsBehind, long keysApplied, long caughtUpAt) {
        public String behindUnit() {
            return applied.inWal() ? "log records" : "bytes";
        }
    }

    /** Opens a logged-in connection of its own to source i: to its endpoint (node null), or to one node of a cluster. */
    @FunctionalInterface
    public interface SourceConnections {
        RespConnection open(int source, String node);
    }

    private final Migration migration;
    private final Resync resync;
    private final List<SourceFeed> feeds = new ArrayList<>();

    /**
     * Starts following every source (before the backfill, so nothing it misses is lost).
     *
     * @param from   each source's saved position, or null for none (a full resync, whose snapshot is skipped)
     * @param open   opens a logged-in connection to source i (its endpoint, or a node of it, as the copy reads it)
     */
    public Follow(DataMigrationSpec spec, Migration migration, List<Position> from, SourceConnections open) {
        this(spec, migration, java.util.stream.IntStream.range(0, spec.getSources().size()).boxed().toList(), from, open, 0, 1);
    }

    /**
     * Follows source {@code index} alone (a sync worker of the operator, one per source): its changed keys are still
     * copied again from every source in list order, so the sources' order holds as in a one-shot copy.
     *
     * @param from the source's saved position, or null for none
     */
    public static Follow ofSource(DataMigrationSpec spec, Migration migration, int index, Position from,
                                  SourceConnections open) {
        return ofPart(spec, migration, index, 0, 1, from, open);
    }

    /**
     * Follows part {@code part} of {@code parts} of source {@code index} (a sync worker per part, with
     * spec.worker.parallelism), as the copy's parts split it: whole masters of a cluster with at least as many masters,
     * otherwise the keys whose CRC32 falls in the part (every part then reads the whole stream).
     *
     * @param from the part's saved position, or null for none
     */
    public static Follow ofPart(DataMigrationSpec spec, Migration migration, int index, int part, int parts, Position from,
                                SourceConnections open) {
        return new Follow(spec, migration, List.of(index), from == null ? null : java.util.Collections.singletonList(from), open,
                part, parts);
    }

    private Follow(DataMigrationSpec spec, Migration migration, List<Integer> followed, List<Position> from,
                   SourceConnections open, int part, int parts) {
        this.migration = migration;
        this.resync = new Resync(spec, migration);
        for (int k = 0; k < followed.size(); k++) {
            int i = followed.get(k);
            feeds.add(new SourceFeed(i, spec.getSources().get(i).getName(), from == null ? null : from.get(k),
                    new FollowedSource(spec, migration, i, part, parts, open), resync));
        }
    }

    /**
     * Where source i stands now, so that following it later from there misses nothing: a Kvrocks' latest write-ahead
     * log sequence; a Redis' replication offset, a backlog made where it had none; a cluster's, each master's.
     */
    public static Position now(Migration migration, int i, SourceConnections open) {
        return FollowedSource.now(migration, i, open);
    }

    /**
     * Sources whose saved position was no longer available (a full resync instead): what they changed meanwhile is not
     * known, so the target needs a rescan with repair before the follow goes on.
     */
    public List<String> lostPositions() {
        return feeds.stream().filter(SourceFeed::lostPosition).map(SourceFeed::name).toList();
    }

    /**
     * Applies what the sources change until {@code stop} says so: collected keys in batches, positions saved after
     * each. Where a source's changes were missed (its position lost, or too many keys waiting), {@code rescan} is run
     * first: a verification with repair of the whole target. Throws (naming the source) when a source does what cannot be followed key by key (FLUSHALL, SWAPDB) or its
     * stream cannot be resumed.
     */
    public void run(BooleanSupplier stop, Consumer<List<Position>> save, Consumer<List<Lag>> report, Consumer<List<String>> rescan)
            throws InterruptedException {
        long lastReport = 0;
        while (!stop.getAsBoolean()) {
            List<String> lost = lostPositions();
            if (!lost.isEmpty()) { // changes were missed: read everything again, repairing, while new ones are collected
                feeds.forEach(SourceFeed::rescanning);
                rescan.accept(lost);
            }
            applyPending(save);
            long now = System.currentTimeMillis();
            if (now - lastReport >= 1000) {
                report.accept(lag());
                lastReport = now;
            }
            if (feeds.stream().mapToInt(SourceFeed::pendingKeys).sum() < BATCH_KEYS) {
                Thread.sleep(BATCH_MILLIS);
            }
        }
        applyPending(save);
        report.accept(lag());
    }

    /** Applies every key collected so far (in list order of sources per key), then saves the positions they came to. */
    public Counters applyPending(Consumer<List<Position>> save) {
        List<SourceFeed.Taken> taken = new ArrayList<>();
        java.util.Set<java.nio.ByteBuffer> keys = new java.util.LinkedHashSet<>();
        for (SourceFeed f : feeds) {
            SourceFeed.Taken t = f.take();
            taken.add(t);
            keys.addAll(t.keys());
        }
        Counters counters = resync.apply(keys.stream().map(java.nio.ByteBuffer::array).toList());
        for (int i = 0; i < feeds.size(); i++) {
            feeds.get(i).applied(taken.get(i));
        }
        save.accept(positions());
        return counters;
    }

    /**
     * Whether a follow stopped on something no follow can mirror key by key (FLUSHALL, SWAPDB of the followed
     * database, a script replicated verbatim): following again from the same position stops there again.
     */
    public static boolean unfollowable(Throwable e) {
        return e instanceof SourceFeed.Unfollowable;
    }

    public List<Position> positions() {
        return feeds.stream().map(SourceFeed::applied).toList();
    }

    public List<Lag> lag() {
        List<Lag> out = new ArrayList<>();
        for (SourceFeed f : feeds) {
            out.add(f.lag());
        }
        return out;
    }

    @Override
    public void close() {
        feeds.forEach(SourceFeed::close);
    }
}
