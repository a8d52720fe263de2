package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Parallel workers (spec.worker.parallelism): the parts of a source are disjoint and together they are the
 * whole source, so parts copied at the same time, each with its own checkpoint, give the target one copy gives.
 */
class ShardTest {

    @Test
    void partsOfAStandaloneSourceCopiedInParallelEqualOneCopy() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer one = RedisServer.start(); RedisServer three = RedisServer.start()) {
            load(source.redis(), 6000);
            Copies.run(Copies.spec(one, Policy.OVERWRITE, source));

            List<CopyResult> parts = copyInParts(Copies.spec(three, Policy.OVERWRITE, source), 3);

            assertEquals(6000, parts.stream().mapToLong(CopyResult::keysScanned).sum(), "each key in exactly one part");
            assertTrue(parts.stream().allMatch(p -> p.keysScanned() > 1500 && p.keysScanned() < 2500),
                    "parts of similar size: " + parts.stream().map(CopyResult::keysScanned).toList());
            assertEquals(Values.snapshot(one.redis()), Values.snapshot(three.redis()));
        }
    }

    @Test
    void aClusterSourceIsSplitByMasters() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 3000; i++) {
                cluster.redis().set("k:" + i, "v" + i);
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("cluster", cluster.uri()));
            spec.getSources().get(0).getEndpoint().setCluster(true);

            List<CopyResult> parts = copyInParts(spec, 3);

            assertEquals(3000, parts.stream().mapToLong(CopyResult::keysScanned).sum());
            assertEquals(3000, target.redis().dbsize());
            for (int i = 0; i < 3000; i += 97) {
                assertEquals("v" + i, target.redis().get("k:" + i));
            }
        }
    }

    /** Copies part k of n of the first source, all parts at once, each with its own state directory. */
    private static List<CopyResult> copyInParts(DataMigrationSpec spec, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<CopyResult>> futures = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int part = k;
                futures.add(pool.submit(() -> {
                    try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("part-"));
                         Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
                        m.prepare();
                        return m.copySource(0, part, n, ProgressListener.NONE);
                    }
                }));
            }
            List<CopyResult> results = new ArrayList<>();
            for (Future<CopyResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void load(RedisCommands<String, String> r, int keys) {
        for (int i = 0; i < keys; i++) {
            switch (i % 3) {
                case 0 -> r.set("s:" + i, "v" + i);
                case 1 -> r.hset("h:" + i, Map.of("f", "v" + i));
                default -> r.rpush("l:" + i, "a", "b" + i);
            }
        }
    }
}
