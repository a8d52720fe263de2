package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * `keyferry run --follow` against real Redis sources that keep changing: the target ends equal to the sources once they
 * stop and the follower has caught up (`keyferry verify` clean), across a kill -9 of the follower, a source that lost
 * its backlog meanwhile, and several sources whose list order decides each key.
 */
class FollowTest {

    /**
     * Five kill -9s of the follower at seeded random instants (0.3 to 2.5 s after each start: in the backfill, in the
     * PSYNC hand-over, while following) under a writer of every type, then a follower left to catch up: verification is
     * clean (so no list got an element twice, no delete was lost), and the last start resumed from its saved position.
     * {@code -Dkeyferry.killSeed=N} replays the instants.
     */
    @Test
    void followsChangesDuringAndAfterTheBackfillAcrossFiveKill9s() throws Exception {
        long seed = Long.getLong("keyferry.killSeed", System.nanoTime());
        Random random = new Random(seed);
        // A backlog that outlasts six restarts of the follower under this writer: each start continues by PSYNC.
        try (RedisServer source = RedisServer.start(List.of("--repl-backlog-size", "64mb"));
             RedisServer target = RedisServer.start()) {
            seed(source.redis(), 5000);
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest("follow", List.of(source), target, "worker: {batchSize: 200, rateLimit: {keysPerSecond: 2500}}");
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = writer(source, writing, 1);
            List<String> kills = new java.util.ArrayList<>();
            try {
                for (int k = 0; k < 5; k++) {
                    ChildJvm follower = follower(manifest, state);
                    long wait = 300 + random.nextInt(2200);
                    Thread.sleep(wait);
                    kills.add(wait + " ms" + (follower.output().contains("following follow-0") ? " (following)" : ""));
                    follower.killHard();
                }
                String replay = "kills at " + kills + "; replay with -Dkeyferry.killSeed=" + seed;
                System.out.println("[follow kills] " + replay);
                ChildJvm last = follower(manifest, state);
                await("the last follower follows, " + replay, () -> last.output().contains("following follow-0"), last);
                Thread.sleep(1000);
                writing.set(false);
                writer.join();
                PositionFile positions = new PositionFile(state);
                await("caught up, " + replay, () -> caughtUp(positions, List.of(source)), last);
                last.signal("TERM");
                last.waitFor(60);
                assertTrue(last.output().contains("stopped: source follow-0: "), last.output());
                assertFalse(last.output().contains("no longer available"), "resumed from its position: " + last.output());
            } finally {
                writing.set(false);
                writer.join();
            }
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), "kills at " + kills + ", seed " + seed + "\n" + verify.output());
            assertTrue(target.redis().dbsize() > 4000, "the backfill ran");
        }
    }

    /**
     * The backfill from the source's snapshot (spec.worker.backfill: Snapshot), then every change: a follower killed with
     * kill -9 at a seeded instant (in the snapshot or in the follow) and started again ends with the target clean.
     */
    @Test
    void followsAfterASnapshotBackfillAcrossAKill9() throws Exception {
        long seed = Long.getLong("keyferry.killSeed", System.nanoTime());
        try (RedisServer source = RedisServer.start(List.of("--repl-backlog-size", "64mb", "--repl-diskless-sync-delay", "0"));
             RedisServer target = RedisServer.start()) {
            seed(source.redis(), 20_000);
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest("follow", List.of(source), target, "worker: {backfill: Snapshot}");
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = writer(source, writing, 2);
            long wait = 200 + new Random(seed).nextInt(1500);
            try {
                ChildJvm first = follower(manifest, state);
                Thread.sleep(wait);
                first.killHard();
                ChildJvm last = follower(manifest, state);
                await("the follower follows, killed at " + wait + " ms before, seed " + seed,
                        () -> last.output().contains("following follow-0"), last);
                assertTrue(last.output().contains("backfill: from the source's RDB snapshot"), last.output());
                Thread.sleep(500);
                writing.set(false);
                writer.join();
                PositionFile positions = new PositionFile(state);
                await("caught up", () -> caughtUp(positions, List.of(source)), last);
                last.signal("TERM");
                last.waitFor(60);
            } finally {
                writing.set(false);
                writer.join();
            }
            long fullSyncs = source.redis().info("stats").lines().filter(l -> l.startsWith("sync_full:"))
                    .mapToLong(l -> Long.parseLong(l.substring("sync_full:".length()).strip())).sum();
            assertTrue(fullSyncs >= 1, "the source sent its snapshot");
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), "killed at " + wait + " ms, seed " + seed + "\n" + verify.output());
            assertTrue(target.redis().dbsize() > 15_000, "the backfill ran");
        }
    }

    /**
     * Two sources under Overwrite: a change in the first never overwrites a key the second holds, a key deleted from the
     * second comes back from the first, a key deleted from both is deleted; and a source whose backlog was overwritten
     * while the follower was down is verified with repair before the follow goes on.
     */
    @Test
    void laterSourcesWinDeletesReachTheTargetAndALostBacklogIsRepaired() throws Exception {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 10; i++) {
                a.redis().set("k:" + i, "a" + i);
                b.redis().set("k:" + i, "b" + i);
            }
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest("order", List.of(a, b), target, "");
            ChildJvm follower = follower(manifest, state);
            await("following", () -> follower.output().contains("following order-0, order-1"), follower);
            a.redis().set("k:1", "a1 changed");            // b holds k:1: b's stays
            b.redis().del("k:2");                          // a holds k:2: a's comes back
            a.redis().del("k:3");
            b.redis().del("k:3");                          // neither holds k:3: deleted
            a.redis().set("k:new", "from a");
            PositionFile positions = new PositionFile(state);
            await("caught up", () -> caughtUp(positions, List.of(a, b)), follower);
            assertEquals("b1", target.redis().get("k:1"));
            assertEquals("a2", target.redis().get("k:2"));
            assertEquals(0L, target.redis().exists("k:3"));
            assertEquals("from a", target.redis().get("k:new"));

            follower.killHard();
            a.redis().configSet("repl-backlog-size", "16384");
            for (int i = 0; i < 400; i++) {
                a.redis().set("filler:" + i, "x".repeat(100)); // 40 KB of changes: more than the backlog holds
            }
            ChildJvm again = follower(manifest, state);
            await("resumed after a rescan", () -> again.output().contains("following order-0, order-1")
                    && again.output().contains("are no longer available"), again);
            await("caught up again", () -> caughtUp(positions, List.of(a, b)), again);
            again.signal("TERM");
            again.waitFor(60);
            assertEquals(400, target.redis().keys("filler:*").size(), again.output());
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), verify.output());
        }
    }

    static boolean caughtUp(PositionFile positions, List<RedisServer> sources) {
        List<Position> saved = positions.load(java.util.stream.IntStream.range(0, sources.size())
                .mapToObj(i -> sources.size() == 1 ? "follow-0" : "order-" + i).toList());
        if (saved == null) {
            return false;
        }
        for (int i = 0; i < sources.size(); i++) {
            String info = sources.get(i).redis().info("replication");
            long master = Long.parseLong(info.lines().filter(l -> l.startsWith("master_repl_offset:")).findFirst().orElseThrow()
                    .substring("master_repl_offset:".length()).strip());
            if (saved.get(i).offset() < master) {
                return false;
            }
        }
        return true;
    }

    static ChildJvm follower(Path manifest, Path state) {
        return ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress", "--follow", "--state-dir", state.toString());
    }

    static Path manifest(String name, List<RedisServer> sources, RedisServer target, String extra) throws Exception {
        StringBuilder s = new StringBuilder("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: " + name
                + "}\nspec:\n  sources:\n");
        for (int i = 0; i < sources.size(); i++) {
            s.append("    - {name: ").append(name).append('-').append(i).append(", endpoint: {uri: \"").append(sources.get(i).uri())
                    .append("\"}}\n");
        }
        s.append("  target: {endpoint: {uri: \"").append(target.uri()).append("\"}}\n  policies: {default: Overwrite}\n");
        if (!extra.isEmpty()) {
            s.append("  ").append(extra).append('\n');
        }
        Path f = Files.createTempFile("follow-", ".yaml");
        Files.writeString(f, s.toString());
        return f;
    }

    private static void seed(RedisCommands<String, String> r, int n) {
        for (int i = 0; i < n; i++) {
            switch (i % 5) {
                case 0 -> r.set("s:" + i, "v" + i);
                case 1 -> r.hset("h:" + i, "f", "v" + i);
                case 2 -> r.rpush("l:" + i, "a", "b");
                case 3 -> r.sadd("set:" + i, "m" + i);
                default -> r.zadd("z:" + i, i, "m");
            }
        }
    }

    /** Writes, deletes, expires and renames keys of every type until told to stop. */
    private static Thread writer(RedisServer server, AtomicBoolean writing, long seed) {
        return writing(server, writing, seed, (r, random, n) -> {
            int k = random.nextInt(6000);
            switch (random.nextInt(10)) {
                case 0 -> r.set("s:" + k, "w" + random.nextInt());
                case 1 -> r.del("s:" + k, "h:" + k);
                case 2 -> r.hset("h:" + k, "f" + random.nextInt(5), "w");
                case 3 -> r.rpush("l:" + k, "x");
                case 4 -> r.lpop("l:" + k);
                case 5 -> r.sadd("set:" + k, "m" + random.nextInt(9));
                case 6 -> r.zadd("z:" + k, random.nextInt(100), "m" + random.nextInt(5));
                case 7 -> r.pexpire("s:" + k, 50 + random.nextInt(500));
                case 8 -> r.incr("n:" + k);
                default -> {
                    if (r.exists("s:" + k) > 0) {
                        r.rename("s:" + k, "s:" + (k + 1)); // it may expire in between: the writer then stops
                    }
                }
            }
        });
    }

    /** One write of a writer: a client, its seeded random, the write's number. */
    @FunctionalInterface
    interface Write {
        void run(RedisCommands<String, String> r, Random random, int n);
    }

    /**
     * Makes writes on a thread of its own until {@code writing} is false (or a write fails), at most about 2,000 a
     * second (a steady load, not one that starves the follower of both cores).
     */
    static Thread writing(RedisServer server, AtomicBoolean writing, long seed, Write write) {
        Thread t = new Thread(() -> {
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
            try (var c = client.connect()) {
                RedisCommands<String, String> r = c.sync();
                Random random = new Random(seed);
                for (int n = 0; writing.get(); n++) {
                    write.run(r, random, n);
                    if (n % 20 == 19) {
                        Thread.sleep(10);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!(e.getMessage() != null && e.getMessage().contains("no such key"))) {
                    throw e;
                }
            } finally {
                client.shutdown();
            }
        }, "writer-" + seed);
        t.start();
        return t;
    }

    static void await(String what, BooleanSupplier done, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            if (!child.isAlive()) {
                fail(what + ": the follower exited\n" + child.output());
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "\n" + child.output());
    }
}
