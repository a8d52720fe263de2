package io.keyferry.engine;

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
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + source.port());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                RedisAsyncCommands<String, String> r = c.async();
                List<RedisFuture<?>> pending = new ArrayList<>();
                for (int i = 0; i < 32_000; i++) {
                    pending.add(r.set("k:" + i, "v"));
                }
                for (RedisFuture<?> f : pending) {
                    f.get();
                }
            } finally {
                client.shutdown();
            }
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
}
