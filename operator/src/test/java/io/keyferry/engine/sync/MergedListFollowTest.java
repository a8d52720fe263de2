package io.keyferry.engine.sync;

import static io.keyferry.engine.sync.FollowTest.await;
import static io.keyferry.engine.sync.FollowTest.caughtUp;
import static io.keyferry.engine.sync.FollowTest.follower;
import static io.keyferry.engine.sync.FollowTest.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * `keyferry run --follow` with lists under Merge, two sources into a target that has lists of its own: whatever the
 * sources do to their lists (pushes at both ends, pops, LSET, LREM, a list deleted and pushed again) during the
 * backfill, after it and across two kill -9s of the follower, every target list ends as exactly its own elements
 * followed by the first source's list and then the second's, as they are now: no element twice, none lost.
 */
class MergedListFollowTest {
    private static final int LISTS = 300;

    @Test
    void everyMergedListEndsAsTheTargetsOwnThenEachSourcesAcrossKill9s() throws Exception {
        long seed = Long.getLong("keyferry.killSeed", System.nanoTime());
        Random random = new Random(seed);
        try (RedisServer a = RedisServer.start(List.of("--repl-backlog-size", "64mb"));
             RedisServer b = RedisServer.start(List.of("--repl-backlog-size", "64mb"));
             RedisServer target = RedisServer.start()) {
            for (int i = 0; i < LISTS; i++) {
                a.redis().rpush("l:" + i, "a" + i, "a" + i + "'");
                if (i % 2 == 0) {
                    b.redis().rpush("l:" + i, "b" + i);
                }
                if (i % 3 == 0) {
                    target.redis().rpush("l:" + i, "own" + i, "own" + i + "'"); // the target's own: they stay first
                }
            }
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest("order", List.of(a, b), target, "worker: {batchSize: 50, rateLimit: {keysPerSecond: 300}}");
            Files.writeString(manifest, Files.readString(manifest).replace("default: Overwrite", "default: Overwrite, list: Merge"));
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> writers = List.of(writer(a, writing, 1), writer(b, writing, 2));
            List<String> kills = new ArrayList<>();
            try {
                for (int k = 0; k < 2; k++) {
                    ChildJvm follower = follower(manifest, state);
                    long wait = 1000 + random.nextInt(2500); // in the backfill (about 2 s of it) or following
                    Thread.sleep(wait);
                    kills.add(wait + " ms" + (follower.output().contains("following order-0") ? " (following)" : ""));
                    follower.killHard();
                }
                String replay = "kills at " + kills + "; replay with -Dkeyferry.killSeed=" + seed;
                ChildJvm last = follower(manifest, state);
                await("the last follower follows, " + replay, () -> last.output().contains("following order-0, order-1"), last);
                Thread.sleep(1000);
                writing.set(false);
                for (Thread w : writers) {
                    w.join();
                }
                await("caught up, " + replay, () -> caughtUp(new PositionFile(state), List.of(a, b)), last);
                last.signal("TERM");
                last.waitFor(60);
                for (int i = 0; i < LISTS; i++) {
                    String key = "l:" + i;
                    List<String> expected = new ArrayList<>();
                    if (i % 3 == 0) {
                        expected.addAll(List.of("own" + i, "own" + i + "'"));
                    }
                    expected.addAll(a.redis().lrange(key, 0, -1));
                    expected.addAll(b.redis().lrange(key, 0, -1));
                    assertEquals(expected, target.redis().lrange(key, 0, -1), key + ", " + replay + "\n" + last.output());
                }
            } finally {
                writing.set(false);
                for (Thread w : writers) {
                    w.join();
                }
            }
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), verify.output());
            assertTrue(target.redis().hlen("keyferry:listbase:{order}") >= LISTS, "each list's base recorded");
        }
    }

    /** Changes lists at both ends and in the middle, deletes some and pushes them again, until told to stop. */
    private static Thread writer(RedisServer server, AtomicBoolean writing, long seed) {
        return FollowTest.writing(server, writing, seed, (r, random, n) -> {
            String key = "l:" + random.nextInt(LISTS);
            String v = seed + "-" + n;
            switch (random.nextInt(8)) {
                case 0, 1, 2 -> r.rpush(key, v, v + "'");
                case 3 -> r.lpush(key, v);
                case 4 -> r.lpop(key);
                case 5 -> r.rpop(key);
                case 6 -> {
                    if (r.llen(key) > 0) {
                        r.lset(key, 0, v);
                    }
                }
                default -> {
                    if (random.nextInt(4) == 0) {
                        r.del(key);
                    } else {
                        String first = r.lindex(key, 0);
                        if (first != null) {
                            r.lrem(key, 1, first);
                        }
                    }
                }
            }
        });
    }
}
