package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of `keyferry run` mid-copy, then the same command again, until it finishes: the target
 * must equal that of an uninterrupted run, with no list element appended twice under Merge and
 * every count the same.
 */
class ResumeTest {
    private static final int KEYS = 20_000;

    @Test
    void resumesAfterKillNineToExactlyTheTargetOfAnUninterruptedRun() throws Exception {
        try (RedisServer source = RedisServer.withoutDumpRestore(); RedisServer reference = RedisServer.start();
             RedisServer killed = RedisServer.start()) {
            load(source);
            prefill(reference.redis());
            prefill(killed.redis());

            JsonNode expected = runToEnd(manifest(source, reference), Files.createTempDirectory("ref-state"));
            JsonNode actual = runWithKills(manifest(source, killed), Files.createTempDirectory("kill-state"));

            assertEquals(expected.get("outcomes"), actual.get("outcomes"), "counts are not double-counted");
            assertEquals(expected.get("keysScanned"), actual.get("keysScanned"));
            Map<String, String> want = Values.snapshot(reference.redis());
            Map<String, String> got = Values.snapshot(killed.redis());
            assertEquals(want.size(), got.size(), "same number of keys");
            assertAll(want.keySet().stream().map(k -> () -> assertEquals(want.get(k), got.get(k), k)));
        }
    }

    private static JsonNode runWithKills(Path manifest, Path state) throws Exception {
        Random random = new Random(7);
        int kills = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            ChildJvm child = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress",
                    "--state-dir", state.toString());
            awaitProgress(state.resolve("checkpoint.json"), child);
            Thread.sleep(100 + random.nextInt(400));
            if (!child.isAlive()) {
                break;
            }
            child.killHard();
            kills++;
        }
        assertTrue(kills >= 2, "the copy was interrupted at least twice (was " + kills + ")");
        Path report = state.resolve("final-report.json");
        ChildJvm last = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress",
                "--state-dir", state.toString(), "--report", report.toString());
        assertEquals(0, last.waitFor(120), last.output());
        assertTrue(last.output().contains("resuming after") || last.output().contains("finished at"), last.output());
        return new ObjectMapper().readTree(report.toFile());
    }

    private static JsonNode runToEnd(Path manifest, Path state) throws Exception {
        Path report = state.resolve("report.json");
        ChildJvm child = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress",
                "--state-dir", state.toString(), "--report", report.toString());
        assertEquals(0, child.waitFor(120), child.output());
        return new ObjectMapper().readTree(report.toFile());
    }

    /** Waits until the child has saved a checkpoint, so the kill lands in the middle of the copy. */
    private static void awaitProgress(Path checkpoint, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(checkpoint) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static Path manifest(RedisServer source, RedisServer target) throws Exception {
        Path f = Files.createTempFile("resume-", ".yaml");
        // Paced, so that the kills land while keys are still being copied.
        Files.writeString(f, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: resume}\n"
                + "spec:\n  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: Merge, string: Overwrite}\n  verify: {mode: \"Off\"}\n"
                + "  worker: {batchSize: 200, rateLimit: {keysPerSecond: 8000}}\n");
        return f;
    }

    private static void load(RedisServer server) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisAsyncCommands<String, String> r = c.async();
            List<RedisFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                switch (i % 5) {
                    case 0 -> pending.add(r.set("s:" + i, "v" + i));
                    case 1 -> pending.add(r.hset("h:" + i, Map.of("a", "1", "b", String.valueOf(i))));
                    case 2 -> pending.add(r.rpush("l:" + i, "x" + i, "y" + i));
                    case 3 -> pending.add(r.sadd("t:" + i, "m" + i, "n"));
                    default -> pending.add(r.zadd("z:" + i, ScoredValue.just(i, "m"), ScoredValue.just(1, "n")));
                }
            }
            for (int big = 0; big < 4; big++) {
                for (int i = 0; i < 30_000; i += 500) {
                    String[] elements = new String[500];
                    for (int j = 0; j < 500; j++) {
                        elements[j] = "big" + big + ":" + (i + j);
                    }
                    pending.add(r.rpush("l:big" + big, elements));
                }
            }
            for (RedisFuture<?> f : pending) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.shutdown();
        }
    }

    /** Existing lists and hashes in the target, so Merge appends and merges rather than copies. */
    private static void prefill(RedisCommands<String, String> r) {
        for (int i = 2; i < KEYS; i += 50) {
            r.rpush("l:" + i, "existing");
        }
        for (int big = 0; big < 4; big++) {
            r.rpush("l:big" + big, "existing");
        }
        for (int i = 1; i < KEYS; i += 50) {
            r.hset("h:" + i, "c", "existing");
        }
    }
}
