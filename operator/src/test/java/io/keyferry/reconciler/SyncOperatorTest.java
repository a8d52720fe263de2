package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import io.keyferry.testing.Datasets;
import io.keyferry.testing.DualWriter;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.StoreDouble;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Live sync through the operator (spec.sync.mode Continuous), real redis-servers and in-process workers: after the
 * backfill a sync Job follows the source, so writes made after the copy reach the target; its lag is in status; a lost
 * sync Job is created again and resumes from the position saved in the target (nothing lost); ReadTarget waits for the
 * lag; the sync Job is deleted once TargetOnly has been in force for stopAfterSeconds; a Pika source is refused. Lists
 * are under Merge: a list pushed to, followed again by a new worker, gets no element twice.
 */
@EnableKubernetesMockClient(crud = true)
class SyncOperatorTest {
    private static final String MANIFEST = """
            apiVersion: keyferry.io/v1alpha1
            kind: DataMigration
            metadata: {name: live}
            spec:
              sources: [{name: old, endpoint: {uri: "%s"}}]
              target: {endpoint: {uri: "%s"}}
              policies: {default: Overwrite, list: Merge}
              phase: DualWrite
              cutover:
                flag: {endpoint: {uri: "%s"}, key: migrate_user}
                maxLagSeconds: 1
                reverifySeconds: 5
              sync: {mode: Continuous, stopAfterSeconds: 1}
              verify: {mode: Full, rounds: 3, roundPauseSeconds: 1}
            """;

    KubernetesClient client;

    @Test
    void followsTheSourceAfterTheCopyResumesALostWorkerAndStopsAfterTargetOnly() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             RedisServer flags = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            Datasets.mixed(source, 2_000, 10);
            h.apply(MANIFEST.formatted(source.uri(), target.uri(), flags.uri()));
            DataMigration following = h.await("live", "verified and following", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getStage() == Stage.VERIFIED && dm.getStatus().getSyncLagSeconds() != null
                            && dm.getStatus().getSources().get(0).sync() != null);
            assertTrue(following.getStatus().getSources().get(0).sync().position().contains(":"), "a position is shown");

            source.redis().set("after:copy", "1");
            source.redis().rpush("after:list", "a", "b");
            source.redis().del(Datasets.key(1));
            awaitEqual(h, source, target, "writes after the copy reach the target through the sync worker");

            Job first = syncJob(h);
            h.client.batch().v1().jobs().inNamespace(OperatorHarness.NS).resource(first).delete();
            source.redis().set("while:gone", "2");
            source.redis().rpush("after:list", "c");
            h.await("live", "a new sync Job", Duration.ofSeconds(30), dm -> h.jobs().stream()
                    .anyMatch(j -> isSync(j) && !j.getMetadata().getUid().equals(first.getMetadata().getUid())));
            awaitEqual(h, source, target, "what the source took while no sync worker ran reaches the target");
            assertEquals(List.of("a", "b", "c"), target.redis().lrange("after:list", 0, -1), "no element applied twice");

            assertTrue(h.events("live").stream().noneMatch(e -> "SyncRescan".equals(e.getReason())),
                    "the sync continued from where the copy began: the source kept its backlog from there");

            // Sync turned off stops the worker; without a saved position the next one verifies the target with repair
            // first, and says so.
            h.patchSpec("live", Map.of("sync", Map.of("mode", "Once")));
            h.await("live", "sync off: no sync Job, its worker stopped", Duration.ofSeconds(30),
                    dm -> h.jobs().stream().noneMatch(SyncOperatorTest::isSync) && syncPodsEnded(h) == 2);
            target.redis().del(io.keyferry.engine.sync.TargetPositions.keyFor(following.getMetadata().getUid(), "old"));
            source.redis().set("while:lost", "3");
            h.patchSpec("live", Map.of("sync", Map.of("mode", "Continuous")));
            h.await("live", "a rescan in status", Duration.ofSeconds(30), dm -> dm.getStatus().getSources().get(0).sync() != null
                    && Long.valueOf(1).equals(dm.getStatus().getSources().get(0).sync().rescans()));
            assertTrue(h.events("live").stream().anyMatch(e -> "SyncRescan".equals(e.getReason())), "an Event says so");
            awaitEqual(h, source, target, "nothing lost without a position");

            writeLag(h, 50.0); // a report as a worker far behind would publish it
            h.setPhase("live", Phase.READ_TARGET);
            // The worker's next report (lag 0) may follow within a second: the Event is what lasts.
            h.await("live", "ReadTarget blocked by the lag", Duration.ofSeconds(30), dm -> h.events("live").stream()
                    .anyMatch(e -> "TransitionBlocked".equals(e.getReason()) && e.getMessage().contains("DualWrite stays in force")
                            && e.getMessage().contains("source old lags 50.0 s; spec.cutover.maxLagSeconds is 1 s")));
            writeLag(h, 0.0);
            h.await("live", "ReadTarget once the lag is 0", Duration.ofSeconds(30), dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);

            h.setPhase("live", Phase.TARGET_ONLY);
            h.await("live", "TargetOnly, and the sync stopped after stopAfterSeconds", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getPhase() == Phase.TARGET_ONLY && h.jobs().stream().noneMatch(SyncOperatorTest::isSync));
            // Finished (TargetOnly for stopAfterSeconds): the positions and checkpoints go, and so does the decision of
            // no journal (the target was empty): a full SCAN of the target finds nothing of KeyFerry's.
            h.await("live", "the finished migration's state removed", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getStateRemovedAt() != null);
            assertEquals(List.of(), CleanupOperatorTest.own(target.redis()));
            assertTrue(h.events("live").stream().anyMatch(e -> "StateRemoved".equals(e.getReason())));
        }
    }

    @Test
    void aFlushallInTheSourceStopsTheSyncWithTheReasonAndIsNotRetried() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            source.redis().set("k", "v");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: once}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      sync: {mode: Continuous}
                    """.formatted(source.uri(), target.uri()));
            h.await("once", "following", Duration.ofSeconds(30), dm -> dm.getStatus().getSyncLagSeconds() != null);
            source.redis().flushall();
            DataMigration stopped = h.await("once", "the sync stopped", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getSources().get(0).lastError() != null);
            String why = stopped.getStatus().getSources().get(0).lastError();
            assertTrue(why.startsWith("the sync stopped: ") && why.contains("FLUSHALL") && why.contains("spec.retryNonce"), why);
            OperatorHarness.sleep(1000); // a few reconciles: no new sync Job
            assertEquals(1, h.jobs().stream().filter(SyncOperatorTest::isSync).count());
            assertEquals("v", target.redis().get("k"), "the target keeps what it has");
        }
    }

    @Test
    void aPikaSourceIsRefusedAsInvalidInputBeforeAnythingIsCopied() {
        try (RedisServer backend = RedisServer.start(); StoreDouble pika = StoreDouble.pika(backend);
             RedisServer target = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            backend.redis().set("k", "v");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: pika}
                    spec:
                      sources: [{name: pika, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      sync: {mode: Continuous}
                    """.formatted(pika.uri(), target.uri()));
            DataMigration failed = h.await("pika", "refused", Duration.ofSeconds(30), dm -> dm.getStatus().getStage() == Stage.FAILED);
            String why = failed.getStatus().getSources().get(0).lastError();
            assertTrue(why.contains("Pika offers no change capture") && why.contains("dual-write cutover"), why);
            assertEquals(List.of(), target.redis().keys("*").stream().filter(k -> !k.startsWith("keyferry:")).toList());
        }
    }

    /**
     * A Redis Cluster source with spec.worker.parallelism 2: a sync Job per part, each following its masters (0 and
     * 10922, then 5461) from where the copy began, so writes on every master after the copy reach the target without a
     * rescan; status shows each part's position, master by master.
     */
    @Test
    void aClusterSourceIsFollowedMasterByMasterFromWhereTheCopyBegan() {
        try (RedisCluster source = RedisCluster.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < 300; i++) {
                source.redis().set("k:" + i, "v" + i);
            }
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: spread}
                    spec:
                      sources: [{name: shards, endpoint: {uri: "%s", cluster: true}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      sync: {mode: Continuous}
                      worker: {parallelism: 2}
                    """.formatted(source.uri(), target.uri()));
            DataMigration following = h.await("spread", "following", Duration.ofSeconds(60),
                    dm -> !dm.getStatus().getSources().isEmpty() && dm.getStatus().getSources().get(0).sync() != null);
            String position = following.getStatus().getSources().get(0).sync().position();
            assertTrue(position.matches("0/2 cluster/0=[0-9a-f]{40}:\\d+/10922=[0-9a-f]{40}:\\d+:\\d+; 1/2 cluster/5461=[0-9a-f]{40}:\\d+:\\d+"),
                    position);
            assertEquals(2, h.jobs().stream().filter(SyncOperatorTest::isSync).count(), "a sync Job per part");
            for (int i = 0; i < 300; i++) {
                source.redis().set("after:" + i, "w" + i);
            }
            source.redis().del("k:1");
            h.await("spread", "writes on every master reach the target", Duration.ofSeconds(30),
                    dm -> target.redis().keys("after:*").size() == 300 && target.redis().exists("k:1") == 0);
            assertEquals("w299", target.redis().get("after:299"));
            assertTrue(h.events("spread").stream().noneMatch(e -> "SyncRescan".equals(e.getReason())),
                    "each master continued from where the copy began");
        }
    }

    /**
     * A standalone source with spec.worker.parallelism 2: each part's sync Job reads the whole stream and applies the
     * keys of its part (by CRC32, as the copy's parts split them), from the copy's start, then from a position of its own.
     */
    @Test
    void aSyncJobPerPartKeepsTheKeysOfItsPart() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            Datasets.mixed(source, 500, 0);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: halves}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      sync: {mode: Continuous}
                      worker: {parallelism: 2}
                    """.formatted(source.uri(), target.uri()));
            DataMigration following = h.await("halves", "following", Duration.ofSeconds(60),
                    dm -> !dm.getStatus().getSources().isEmpty() && dm.getStatus().getSources().get(0).sync() != null);
            for (int i = 0; i < 200; i++) {
                source.redis().set("after:" + i, "w" + i);
            }
            source.redis().del(Datasets.key(1));
            awaitEqual(h, source, target, "writes of both parts reach the target");
            String uid = following.getMetadata().getUid();
            for (String part : List.of("0/2", "1/2")) {
                String key = "keyferry:checkpoint:{" + uid + ":old:follow:" + part + "}";
                h.await("halves", "part " + part + " saved its own position", Duration.ofSeconds(10),
                        dm -> target.redis().exists(key) == 1);
            }
            assertTrue(h.events("halves").stream().noneMatch(e -> "SyncRescan".equals(e.getReason())), "both from the copy's start");
        }
    }

    /** Sync worker pods that ended, as the kubelet logged them. */
    private static long syncPodsEnded(OperatorHarness h) {
        return h.kubelet.log().stream().filter(l -> l.startsWith("live-sync-") && l.contains(" exit ")).count();
    }

    private static boolean isSync(Job j) {
        return "sync".equals(j.getMetadata().getLabels().get(WorkerJobs.STAGE_LABEL));
    }

    private static Job syncJob(OperatorHarness h) {
        return h.jobs().stream().filter(SyncOperatorTest::isSync).findFirst().orElseThrow();
    }

    /**
     * The sync worker's report with this lag, written where the worker writes it. The worker publishes its own report
     * meanwhile: a write that lost that race (409) is read and made again.
     */
    private static void writeLag(OperatorHarness h, double seconds) {
        String name = syncJob(h).getMetadata().getName();
        for (int attempt = 1; ; attempt++) {
            ConfigMap cm = h.client.configMaps().inNamespace(OperatorHarness.NS).withName(name).get();
            WorkerReport report = WorkerReport.parse(cm.getData().get(WorkerReport.DATA_KEY));
            report.sync.lagSeconds = seconds;
            cm.getData().put(WorkerReport.DATA_KEY, report.toJson());
            try {
                h.client.configMaps().inNamespace(OperatorHarness.NS).resource(cm).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Waits until the target holds what the source holds (KeyFerry's own state keys aside). */
    private static void awaitEqual(OperatorHarness h, RedisServer source, RedisServer target, String what) {
        Map<String, String> diff = Map.of();
        for (int i = 0; i < 300; i++) {
            diff = new TreeMap<>(DualWriter.differences(source, target));
            diff.keySet().removeIf(k -> k.startsWith("keyferry:"));
            if (diff.isEmpty()) {
                return;
            }
            OperatorHarness.sleep(100);
        }
        assertNotEquals(0, 0, what + ": " + diff.size() + " keys differ, e.g. " + diff.entrySet().stream().limit(5).toList()
                + "\npods:\n" + String.join("\n", h.kubelet.log()));
    }
}
