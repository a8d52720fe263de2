package io.keyferry.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.EndpointSpec;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * Two workers of one copy (two pods of one Job, one of them on a partitioned node): the one that started later holds
 * the newer attempt token, and the older one's next save is refused, so their checkpoints never interleave.
 */
class FencedCheckpointTest {

    @Test
    void theOlderWorkersSaveIsRefusedOnceANewerOneHasStarted() {
        try (RedisServer target = RedisServer.start()) {
            assertFenced(target.uri(), false, target.redis()::get);
            assertTrue(target.calls("eval") == 3 && target.calls("watch") == 0, "one script a save, one round trip: "
                    + target.redis().info("commandstats"));
        }
    }

    @Test
    void aStoreWithoutScriptsSavesUnderWatchFencedTheSame() {
        try (RedisServer target = RedisServer.start(java.util.List.of("--rename-command", "EVAL", ""))) { // as Pika
            assertFenced(target.uri(), false, target.redis()::get);
            assertTrue(target.calls("watch") == 3, "WATCH, GET, then MULTI/EXEC: " + target.redis().info("commandstats"));
        }
    }

    @Test
    void onARedisClusterTheSameHoldsThroughOneScript() {
        try (RedisCluster target = RedisCluster.start()) {
            assertFenced(target.uri(), true, target.redis()::get);
        }
    }

    private static void assertFenced(String uri, boolean cluster, java.util.function.UnaryOperator<String> get) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        e.setCluster(cluster);
        try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
             TargetCheckpointStore first = new TargetCheckpointStore(endpoints.connect(e, "spec.target.endpoint", "target"), "uid:a");
             TargetCheckpointStore second = new TargetCheckpointStore(endpoints.connect(e, "spec.target.endpoint", "target"), "uid:a")) {
            first.load();
            Checkpoint mine = new Checkpoint();
            mine.fingerprint = "first";
            first.save(mine);
            second.load();
            Checkpoint theirs = new Checkpoint();
            theirs.fingerprint = "second";
            second.save(theirs);

            CopyFailedException refused = assertThrows(CopyFailedException.class, () -> first.save(mine));

            assertTrue(refused.getMessage().startsWith("another worker took over this copy: its checkpoint"
                    + " keyferry:checkpoint:{uid:a} in target (" + uri + ") is held by attempt token 2, this worker has 1;"),
                    refused.getMessage());
            assertEquals("second", second.load().orElseThrow().fingerprint);
            assertEquals("2", get.apply("keyferry:checkpoint:{uid:a}:fence"));
        }
    }
}
