package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.copy.RateLimiter;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.VirtualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.worker.rateLimit holds over every 10-second window of a copy, counted on the pacing's own clock
 * ({@link VirtualClock}: time moves only while the copy waits), so what is checked is the token bucket the code
 * keeps, not how fast the machine running the test is. The wall-clock rates are measured by bench/pacing.sh.
 */
class RateLimitTest {
    private static final int RATE = 2500;
    private static final long WINDOW = 10_000_000_000L;
    /**
     * Batches whose source commands may be sent before the one being paid for is: the copy's stages (SourceCopier)
     * hold a page being scanned, two scanned, one being decided, one decided, one being read, one read and the
     * one being written.
     */
    private static final int IN_FLIGHT = 8;
    /** Connections a copy opens to a source (scan, decide, values, chunks). */
    private static final int CONNECTIONS = 4;

    @Test
    void aBucketOfKeysPerSecondLetsThroughExactlyItsRatePlusTheBatchItIsPaying() {
        VirtualClock clock = new VirtualClock();
        RateLimiter limiter = new RateLimiter(RATE, clock);
        List<long[]> samples = new ArrayList<>(List.of(new long[] {0, 0}));
        long keys = 0;
        for (int batch = 0; batch < 400; batch++) {
            int n = 1 + (batch * 37) % 300; // batches of 1 to 300 keys
            keys += n;
            samples.add(new long[] {clock.nanoTime(), keys}); // processed at this time, then paid for
            limiter.acquire(n);
        }
        assertWindowsWithin(samples, RATE, 300, "keys");
    }

    @Test
    void keepsEveryTenSecondWindowOfACopyWithinTheKeysLimit() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            load(source, 32_000);
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(250);
            spec.getWorker().getRateLimit().setKeysPerSecond(RATE);
            VirtualClock clock = new VirtualClock();
            List<long[]> samples = new ArrayList<>(List.of(new long[] {0, 0})); // {virtual nanos, keys scanned}
            CopyResult result;
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("rate"));
                 Migration m = new Migration("rate", spec, new FileSecretResolver(null), store).pacedBy(clock)) {
                m.prepare();
                result = m.copy(p -> samples.add(new long[] {clock.nanoTime(), p.keysScanned()}));
            }
            assertEquals(32_000L, target.redis().dbsize());
            long biggestPage = 0;
            for (int i = 1; i < samples.size(); i++) {
                biggestPage = Math.max(biggestPage, samples.get(i)[1] - samples.get(i - 1)[1]);
            }
            assertTrue(biggestPage <= 2 * 250, "a SCAN page of COUNT 250 held " + biggestPage + " keys");
            assertWindowsWithin(samples, RATE, biggestPage, "keys");
            // On a busy machine a batch's writes can take long enough for the target's backoff to pause (on this clock too).
            assertEquals(32_000L * 1_000_000_000L / RATE + result.targetPausedNanos(), clock.nanoTime(), samples.size(),
                    "the copy waited for every key it scanned, and only for those (and for " + result.targetPauses()
                    + " backoff pauses)");
        }
    }

    /**
     * sourceOpsPerSecond: the commands the source receives, as the source itself counts them (INFO stats), stay
     * within the limit over every 10-second window of the pacing's clock, and the copy paid for every one.
     */
    @Test
    void keepsTheCommandsTheSourceReceivesWithinTheOpsLimit() throws Exception {
        int ops = 3500;
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            load(source, 26_000);
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(250);
            spec.getWorker().getRateLimit().setSourceOpsPerSecond(ops);
            VirtualClock clock = new VirtualClock();
            List<long[]> samples = new ArrayList<>(); // {virtual nanos, commands the source processed for the copy}
            long before;
            long after;
            CopyResult result;
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("ops"));
                 Migration m = new Migration("ops", spec, new FileSecretResolver(null), store).pacedBy(clock)) {
                m.prepare();
                before = processed(source);
                samples.add(new long[] {0, 0});
                result = m.copy(p -> samples.add(new long[] {clock.nanoTime(), processed(source) - before - samples.size()}));
                after = processed(source) - before - samples.size();
            }
            assertEquals(26_000L, target.redis().dbsize());
            // The clock's time, less what the target's backoff paused on it (on a busy machine a batch can be that slow).
            long paid = (clock.nanoTime() - result.targetPausedNanos()) * ops / 1_000_000_000L;
            assertTrue(after >= paid && after <= paid + CONNECTIONS, "the source processed " + after
                    + " commands for the copy and the copy paid for " + paid + " (unpaid: what its " + CONNECTIONS
                    + " connections sent as they opened, before pacing began)");
            for (long[] s : samples) {
                long ahead = s[1] - s[0] * ops / 1_000_000_000L;
                // Paid before it is sent: at a sample, the batches in flight may be paid for and not processed by the source yet.
                assertTrue(ahead >= -IN_FLIGHT * commandsPerBatch(250) && ahead <= IN_FLIGHT * commandsPerBatch(250), "at " + s[0] / 1_000_000
                        + " ms the source had processed " + ahead + " commands more than the limit had been paid for");
            }
            assertWindowsWithin(samples, ops, IN_FLIGHT * commandsPerBatch(250), "commands");
        }
    }

    /** What a batch of small strings costs the source: its SCAN, and a PTTL and a read per key. */
    private static long commandsPerBatch(int keys) {
        return 2L * keys + 1;
    }

    /**
     * Over every window of 10 s between two samples ({time, count so far}), the count grew by the rate's 10 s worth,
     * give or take {@code slack}.
     */
    private static void assertWindowsWithin(List<long[]> samples, int rate, long slack, String what) {
        long end = samples.get(samples.size() - 1)[0];
        long windows = 0;
        for (long[] from : samples) {
            long until = from[0] + WINDOW;
            if (until > end) {
                break;
            }
            long counted = countAt(samples, until) - from[1];
            long allowed = rate * (WINDOW / 1_000_000_000L);
            assertTrue(Math.abs(counted - allowed) <= slack, "window from " + from[0] / 1_000_000 + " ms: " + counted
                    + " " + what + ", the limit allows " + allowed + " give or take " + slack);
            windows++;
        }
        assertTrue(windows > 5, "windows checked: " + windows);
    }

    /** The count at a time: the last sample at or before it. */
    private static long countAt(List<long[]> samples, long nanos) {
        long count = 0;
        for (long[] s : samples) {
            if (s[0] <= nanos) {
                count = s[1];
            }
        }
        return count;
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

    /** Commands the server has processed (its own count; the INFO asking is counted after it answers). */
    private static long processed(RedisServer server) {
        String info = server.redis().info("stats");
        return info.lines().filter(l -> l.startsWith("total_commands_processed:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
    }
}
