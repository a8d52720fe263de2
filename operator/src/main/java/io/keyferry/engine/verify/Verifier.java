package io.keyferry.engine.verify;

import io.keyferry.api.PolicySpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.VerifyMode;
import io.keyferry.api.VerifySpec;
import io.keyferry.engine.Progress;
import io.keyferry.engine.ProgressListener;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32;

/**
 * Verifies the target against the sources: every source key (or a sample) is checked once, against
 * what the policies of all the sources that write it require (see {@link Expectation}), TTLs included.
 * Keys that differ are checked again in later rounds, after a pause, so that keys an application is
 * changing at that moment are not reported; only keys that keep differing are.
 */
public final class Verifier {
    /** Copies keys again under the policy: the repair of keys that still differ. */
    public interface Repairer {
        /** @return the keys an application write raced while they were copied: not repaired, to look at again */
        List<KeyRef> repair(List<KeyRef> keys);
    }

    /** A target key and the source keys that write it, in list order. */
    public record KeyRef(byte[] targetKey, List<Member> members) {}

    public record Member(int source, byte[] key) {}

    static final int RECHECKED_AT_MOST = 100_000;
    static final int SAMPLES = 100;
    static final String EXTRA_REASON = "in the target but in no source (within the migrated key filters)";

    /**
     * Threads that read the sources, and threads that compare the target, each on connections of its own. A
     * batch is read by one, then compared by another, so both servers work at once, each on another batch: with
     * checkers that did both in turn, the checkers drifted together onto one server while the other waited, and
     * the machine stood a quarter idle (mixed-1m on 2 cores).
     */
    private static final int READERS = 2;
    private static final int COMPARERS = 2;
    /**
     * Batches between the scan and the tally at most: every stage busy and one waiting. Only batches that were
     * read hold values, so at most this many batches of values are in memory.
     */
    private static final int IN_FLIGHT = READERS + COMPARERS + 1;
    /**
     * Keys a reader or comparer takes at a time, however many a SCAN page holds (spec.worker.batchSize): with
     * batches of 2,000 the stages overlapped less and the batches in flight held four times the values, for no
     * fewer round trips that count (mixed-1m: verification as fast, 0.3 client CPU-s more, RSS 152 to 231 MB).
     */
    static final int CHECKED_AT_ONCE = 500;

    private final List<SourceSpec> specs;
    private final List<RedisLink> sources;
    private final List<ServerProfile> profiles;
    private final PolicySpec policies;
    private final VerifySpec verify;
    private final int batchSize;
    private final Connections connections;
    private final List<Commands> sourceCommands;
    private final KeyChecker main;
    private final RedisLink target;
    private final ServerProfile targetProfile;
    private boolean extraKeys;
    /** Per source: keys.addPrefix as bytes, and keys.match as a glob (null: every key). */
    private final io.keyferry.engine.KeyMapping keyMapping;

    /** Opens another set of connections (every source, then the target), for a checker of its own. */
    public interface Connections {
        KeyConnections open();
    }

    /** One checker's connections: one per source, in list order, and one to the target. */
    public record KeyConnections(List<RedisLink> sources, RedisLink target) implements AutoCloseable {
        @Override
        public void close() {
            sources.forEach(RedisLink::close);
            target.close();
        }
    }

    /**
     * @param connections more connections for checkers that work beside the scan; with 2 cores, two
     *                    checkers keep both busy while the scan feeds them
     */
    public Verifier(List<SourceSpec> specs, List<RedisLink> sources, List<ServerProfile> profiles, RedisLink target,
                    ServerProfile targetProfile, PolicySpec policies, VerifySpec verify, int batchSize,
                    Connections connections) {
        this.specs = specs;
        this.sources = sources;
        this.profiles = profiles;
        this.policies = policies;
        this.verify = verify;
        this.batchSize = batchSize;
        this.connections = connections;
        this.sourceCommands = profiles.stream().map(ServerProfile::commands).toList();
        this.target = target;
        this.targetProfile = targetProfile;
        this.main = checker(sources, target);
        this.keyMapping = new io.keyferry.engine.KeyMapping(specs);
    }

    /**
     * Also checks the other direction, as a dual-write cutover needs: target keys within some source's key
     * filters that no source has are mismatches, and a repair deletes them.
     *
     * @param journal records each extra key's state before the repair deletes it (the undo journal), or null
     */
    public Verifier checkingExtraKeys(io.keyferry.engine.undo.UndoJournal journal) {
        this.extraKeys = true;
        this.journal = journal;
        return this;
    }

    private io.keyferry.engine.undo.UndoJournal journal;
    private SnapshotCheck snapshot;

    /**
     * Looks at the source {@code check} names from its snapshot in the first round ({@link SnapshotCheck}): the keys it
     * confirms are not read one by one; the others are checked as usual.
     */
    public Verifier fromSnapshot(SnapshotCheck check) {
        this.snapshot = check;
        return this;
    }

    private KeyChecker checker(List<RedisLink> sourceLinks, RedisLink targetLink) {
        return new KeyChecker(specs, sourceLinks, sourceCommands, targetLink, targetProfile.commands(), policies, batchSize,
                verify.getTtlToleranceMs());
    }

    /**
     * @param repairer copies keys that still differ after every round again, or null for no repair
     * @param estimatedKeys for progress: the sources' key count
     */
    public VerifyResult verify(ProgressListener listener, Repairer repairer, long estimatedKeys) {
        long started = System.currentTimeMillis();
        Tally tally = new Tally();
        firstRound(tally, listener, estimatedKeys, started);
        int rounds = 1;
        while (!tally.failing.isEmpty() && rounds < verify.getRounds()) {
            pause();
            rounds++;
            tally.recheck(main);
        }
        if (repairer != null && !tally.failing.isEmpty()) {
            tally.repair(main, repairer, verify.getRounds(), this::pause);
        }
        if (extraKeys) {
            rounds = Math.max(rounds, extraKeysRounds(tally, listener, repairer != null, started));
        }
        return tally.result(rounds, System.currentTimeMillis() - started);
    }

    /**
     * Scans every source on this thread and hands each batch to a reader, then to a comparer, each on threads
     * and connections of their own; at most {@link #IN_FLIGHT} batches are on their way, so memory stays bounded.
     * A failed batch stops the scan.
     */
    private void firstRound(Tally tally, ProgressListener listener, long estimatedKeys, long started) {
        ExecutorService readers = pool("keyferry-verify-read", READERS);
        ExecutorService comparers = pool("keyferry-verify-compare", COMPARERS);
        List<KeyConnections> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        ThreadLocal<KeyChecker> checkers = ThreadLocal.withInitial(() -> {
            KeyConnections c = connections.open();
            opened.add(c);
            return checker(c.sources(), c.target());
        });
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Void>> work = new ArrayList<>();
        long[] scanned = {0};
        try {
            java.util.function.Consumer<List<KeyRef>> check = page -> {
                for (int from = 0; from < page.size(); from += CHECKED_AT_ONCE) {
                    List<KeyRef> refs = page.subList(from, Math.min(page.size(), from + CHECKED_AT_ONCE));
                    acquire(inFlight);
                    work.removeIf(f -> f.isDone() && join(f));
                    work.add(CompletableFuture.supplyAsync(() -> checkers.get().read(refs), readers)
                            .thenApplyAsync(reads -> checkers.get().compare(refs, reads), comparers)
                            .thenAccept(verdicts -> tally.first(refs, verdicts))
                            .whenComplete((done, failed) -> inFlight.release()));
                }
            };
            for (int i = 0; i < sources.size(); i++) {
                int index = i;
                java.util.function.LongConsumer progress = n -> {
                    scanned[0] += n;
                    listener.onProgress(new Progress("verify " + specs.get(index).getName(), index, sources.size(),
                            scanned[0], estimatedKeys, new Counters(), System.currentTimeMillis() - started, scanned[0]));
                };
                if (snapshot != null && snapshot.index() == i) {
                    snapshot.run(check, tally::confirmed, progress);
                } else {
                    scanSource(i, check, progress);
                }
            }
            work.forEach(Verifier::join);
        } finally {
            readers.shutdownNow();
            comparers.shutdownNow();
            opened.forEach(KeyConnections::close);
        }
    }

    private static ExecutorService pool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The target scanned for keys no source has; re-checked over the rounds, deleted by a repair. */
    private int extraKeysRounds(Tally tally, ProgressListener listener, boolean repair, long started) {
        ExtraKeys finder = new ExtraKeys(sources, target, targetProfile, batchSize, new ExtraKeys.Claims() {
            @Override
            public byte[] sourceKeyFor(int source, byte[] targetKey) {
                return Verifier.this.sourceKeyFor(source, targetKey);
            }

            @Override
            public boolean selected(int source, String typeReply) {
                return main.selected(source, typeReply);
            }
        }, RECHECKED_AT_MOST);
        long[] scanned = {0};
        List<byte[]> extra = finder.find(n -> {
            scanned[0] += n;
            listener.onProgress(new Progress("verify target", sources.size(), sources.size() + 1, scanned[0], 0,
                    new Counters(), System.currentTimeMillis() - started, scanned[0]));
        });
        int rounds = 1;
        while (!extra.isEmpty() && rounds < verify.getRounds()) {
            pause();
            rounds++;
            extra = finder.extraAmong(extra);
        }
        List<byte[]> repaired = List.of();
        if (repair && !extra.isEmpty()) {
            tally.raced += finder.delete(extra, journal);
            List<byte[]> left = finder.extraAmong(extra);
            java.util.Set<java.nio.ByteBuffer> still = new java.util.HashSet<>();
            left.forEach(k -> still.add(java.nio.ByteBuffer.wrap(k)));
            repaired = extra.stream().filter(k -> !still.contains(java.nio.ByteBuffer.wrap(k))).toList();
            extra = left;
        }
        tally.extra(extra, repaired);
        return rounds;
    }

    private static void acquire(Semaphore s) {
        try {
            s.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Waits for a batch; rethrows what failed it. */
    private static boolean join(CompletableFuture<Void> f) {
        try {
            f.join();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private void pause() {
        try {
            Thread.sleep(verify.getRoundPauseSeconds() * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- scanning: which target keys to check, and which sources write each ----

    private void scanSource(int i, java.util.function.Consumer<List<KeyRef>> batch, java.util.function.LongConsumer progress) {
        SourceScan scan = new SourceScan(sources.get(i), profiles.get(i), specs.get(i).getKeys(), batchSize)
                .leavingStateKeysOut(specs.get(i).stateKeysLeftOut());
        String cursor = "0";
        SourceScan.Page page;
        do {
            page = scan.next(cursor);
            List<KeyRef> refs = sampled(chains(i, page.keys()));
            if (!refs.isEmpty()) {
                batch.accept(refs);
            }
            progress.accept(page.scanned());
            cursor = page.cursor();
        } while (!page.finished());
    }

    /** Another source's key that may land on the same target name, and where its TYPE reply stands. */
    private record Candidate(byte[] key, int type) {}

    /**
     * The sources that write each key's target name. A key is checked while scanning the last of them,
     * so that it is checked once, with every source that wrote it known.
     */
    private List<KeyRef> chains(int i, List<byte[]> keys) {
        List<Candidate[]> others = new ArrayList<>(keys.size());
        List<byte[]> targetKeys = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            byte[] targetKey = keyMapping.prefixed(i, key);
            targetKeys.add(targetKey);
            Candidate[] row = new Candidate[sources.size()];
            for (int j = 0; j < sources.size(); j++) {
                byte[] k = j == i ? null : sourceKeyFor(j, targetKey);
                row[j] = k == null ? null : new Candidate(k, sources.get(j).pipe().send(Cmd.TYPE, k));
            }
            others.add(row);
        }
        sources.forEach(l -> l.pipe().flush());
        List<List<Object>> types = new ArrayList<>();
        sources.forEach(l -> types.add(l.pipe().sync()));
        List<KeyRef> refs = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            List<Member> members = new ArrayList<>();
            boolean last = true;
            for (int j = 0; j < sources.size(); j++) {
                Candidate c = others.get(k)[j];
                if (j == i) {
                    members.add(new Member(i, keys.get(k)));
                } else if (c != null && main.selected(j, Resp.typeName(types.get(j).get(c.type()), sources.get(j).label(), c.key()))) {
                    members.add(new Member(j, c.key()));
                    last &= j < i;
                }
            }
            if (last) {
                refs.add(new KeyRef(targetKeys.get(k), members));
            }
        }
        return refs;
    }

    /** The key of source j that lands on this target name, or null where none can. */
    private byte[] sourceKeyFor(int j, byte[] targetKey) {
        return keyMapping.sourceKey(j, targetKey);
    }

    private List<KeyRef> sampled(List<KeyRef> refs) {
        if (verify.getMode() != VerifyMode.SAMPLE) {
            return refs;
        }
        long threshold = Math.round(verify.getPercent() * 10_000);
        List<KeyRef> out = new ArrayList<>();
        for (KeyRef r : refs) {
            CRC32 crc = new CRC32();
            crc.update(r.targetKey());
            if (crc.getValue() % 1_000_000 < threshold) {
                out.add(r);
            }
        }
        return out;
    }
}
