package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.TargetBackoff;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.VirtualClock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The copy pauses when the target's writes slow down, and only then. */
class TargetBackoffTest {

    @Test
    void pausesOnlyForABatchFarSlowerThanUsual() {
        VirtualClock clock = new VirtualClock();
        TargetBackoff backoff = new TargetBackoff(clock);
        for (int i = 0; i < 20; i++) {
            backoff.afterBatch(2_000_000L + i * 100_000L, 500, 50_000); // 2-4 ms for 500 small keys: the usual
        }
        backoff.afterBatch(40_000_000L, 500, 50_000); // slower, but under 50 ms
        backoff.afterBatch(900_000_000L, 1, 512L << 20); // one 512 MiB string: long, but not slow for its size
        assertEquals(0, backoff.pauses());
        assertEquals(0, clock.nanoTime());

        backoff.afterBatch(200_000_000L, 500, 50_000);
        assertEquals(1, backoff.pauses());
        assertEquals(200_000_000L, clock.nanoTime(), "paused as long as the slow batch took");

        backoff.afterBatch(9_000_000_000L, 500, 50_000);
        assertEquals(2, backoff.pauses());
        assertEquals(5_200_000_000L, clock.nanoTime(), "a pause lasts 5 s at most");
    }

    @Test
    void aCopyPausesWhileTheTargetHoldsWritesAndStillCopiesEverything() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 20; i++) {
                Map<String, String> keys = new HashMap<>();
                for (int j = 0; j < 1000; j++) {
                    keys.put("k:" + (i * 1000 + j), "v");
                }
                source.redis().mset(keys);
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().getRateLimit().setKeysPerSecond(5000);
            Thread pauser = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    target.redis().clientPause(1000); // every client's commands wait a second
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pauser.start();

            CopyResult result = Copies.run(spec);
            pauser.join();

            assertEquals(20_000, target.redis().dbsize());
            assertTrue(result.targetPauses() >= 1, "paused for the slow target: " + result.targetPauses());
            assertTrue(result.targetPausedNanos() > 0 && result.targetPausedNanos() <= result.targetPauses() * 5_000_000_000L,
                    "each pause at most 5 s: " + result.targetPausedNanos() + " ns in " + result.targetPauses());
        }
    }
}
