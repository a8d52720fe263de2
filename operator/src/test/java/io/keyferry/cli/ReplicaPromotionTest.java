package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.Datasets;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The replica a copy reads (readFrom: Replica) promoted to a primary mid-copy (REPLICAOF NO ONE, as a failover does):
 * its process, its data and so its SCAN cursor stay, so the copy goes on and ends exactly as one from the primary.
 */
class ReplicaPromotionTest {
    private static final int KEYS = 3000;

    @Test
    void replicaPromotedWhileItIsTheReadFromSourceEndsExact() throws Exception {
        try (RedisServer primary = RedisServer.start(); RedisServer reference = RedisServer.start();
             RedisServer target = RedisServer.start()) {
            Datasets.sixTypes(primary, KEYS, 1000, 1 << 20);
            assertEquals(0, CliRun.of("run", "-f", manifest(primary, reference, "Primary").toString(), "--no-progress",
                    "--state-dir", CliRun.tempDir().toString()).exitCode());
            Map<String, String> expected = Values.snapshot(reference.redis());
            try (RedisServer replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", String.valueOf(primary.port())))) {
                awaitInSync(primary, replica);
                Path state = CliRun.tempDir();
                CompletableFuture<Void> failover = CompletableFuture.runAsync(() -> {
                    NetworkFaultsTest.awaitScanned(state, KEYS / 3);
                    replica.redis().replicaofNoOne();
                });
                CliRun run = CliRun.of("run", "-f", manifest(primary, target, "Replica").toString(), "--no-progress",
                        "--state-dir", state.toString());
                failover.join();
                assertEquals(0, run.exitCode(), run.toString());
                assertTrue(replica.redis().info("replication").contains("role:master"), "the replica was promoted");
                assertEquals(expected, Values.snapshot(target.redis()));
            }
        }
    }

    private static void awaitInSync(RedisServer primary, RedisServer replica) throws InterruptedException {
        long keys = primary.redis().dbsize();
        for (int i = 0; i < 1500 && !(replica.redis().info("replication").contains("master_link_status:up")
                && replica.redis().dbsize() == keys); i++) {
            Thread.sleep(20);
        }
        assertEquals(keys, replica.redis().dbsize(), "the replica holds the primary's keys");
    }

    /** Paced, so that the promotion comes while keys are still being copied. */
    private static Path manifest(RedisServer source, RedisServer target, String readFrom) {
        return CliRun.manifest("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: promoted}\n"
                + "spec:\n  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\", readFrom: " + readFrom + "}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: Overwrite}\n  verify: {mode: \"Off\"}\n"
                + "  worker: {batchSize: 100, rateLimit: {keysPerSecond: 2000}}\n");
    }
}
