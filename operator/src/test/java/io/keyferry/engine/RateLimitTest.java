package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.worker.rateLimit.keysPerSecond holds within 10% over every 10-second window of a copy. */
class RateLimitTest {
    private static final int RATE = 2500;

    @Test
    void keepsEveryTenSecondWindowWithinTenPercentOfTheLimit() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            load(source, 32_000);
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(250);
            spec.getWorker().getRateLimit().setKeysPerSecond(RATE);
            List<long[]> samples = new ArrayList<>(); // {nanos, keys scanned so far}
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("rate"));
                 Migration m = new Migration("rate", spec, new FileSecretResolver(null), store)) {
                m.prepare();
                long start = System.nanoTime();
                samples.add(new long[] {start, 0});
                m.copy(p -> samples.add(new long[] {System.nanoTime(), p.keysScanned()}));
            }
            long end = samples.get(samples.size() - 1)[0];
            long windows = 0;
            for (long[] from : samples) {
                long until = from[0] + 10_000_000_000L;
                if (until > end) {
                    break;
                }
                long keys = keysAt(samples, until) - from[1];
                double rate = keys / 10.0;
                assertTrue(rate >= RATE * 0.9 && rate <= RATE * 1.1, "window from " + (from[0] - samples.get(0)[0]) / 1_000_000
                        + " ms: " + rate + " keys/s");
                windows++;
            }
            assertTrue(windows > 10, "windows checked: " + windows);
        }
    }

    /** Keys scanned by a time: the last sample at or before it. */
    private static long keysAt(List<long[]> samples, long nanos) {
        long keys = 0;
        for (long[] s : samples) {
            if (s[0] <= nanos) {
                keys = s[1];
            }
        }
        return keys;
    }

    /**
     * sourceOpsPerSecond: the commands the source receives (counted by the source itself, INFO
     * total_commands_processed, sampled every 200 ms) stay within 10% of the limit over every 10-second window.
     */
    @Test
    void keepsTheCommandsTheSourceReceivesWithinTenPercentOfTheOpsLimit() throws Exception {
        int ops = 3500; // a string costs the source two commands (PTTL and its read), so the copy takes about 15 s
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            load(source, 26_000);
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(250);
            spec.getWorker().getRateLimit().setSourceOpsPerSecond(ops);
            List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>()); // {nanos, commands processed}
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    samples.add(new long[] {System.nanoTime(), processed(source)});
                    sleep(200);
                }
            });
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("ops"));
                 Migration m = new Migration("ops", spec, new FileSecretResolver(null), store)) {
                m.prepare();
                sampler.start();
                m.copy(ProgressListener.NONE);
            } finally {
                done.set(true);
                sampler.join();
            }
            assertEquals(26_000L, target.redis().dbsize());
            List<long[]> taken = new ArrayList<>(samples);
            long end = taken.get(taken.size() - 1)[0];
            long windows = 0;
            for (long[] from : taken) {
                long until = from[0] + 10_000_000_000L;
                if (until > end) {
                    break;
                }
                // Minus the sampler's own INFO, one per sample.
                long commands = keysAt(taken, until) - from[1] - 50;
                double rate = commands / 10.0;
                assertTrue(rate >= ops * 0.9 && rate <= ops * 1.1, "window from " + (from[0] - taken.get(0)[0]) / 1_000_000
                        + " ms: " + rate + " commands/s");
                windows++;
            }
            assertTrue(windows > 5, "windows checked: " + windows);
        }
    }

    private static void load(RedisServer source, int keys) throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + source.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisAsyncCommands<String, String> r = c.async();
            List<RedisFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                pending.add(r.set("k:" + i, "v"));
            }
            for (RedisFuture<?> f : pending) {
                f.get();
            }
        } finally {
            client.shutdown();
        }
    }

    private static long processed(RedisServer server) {
        String info = server.redis().info("stats");
        return info.lines().filter(l -> l.startsWith("total_commands_processed:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
