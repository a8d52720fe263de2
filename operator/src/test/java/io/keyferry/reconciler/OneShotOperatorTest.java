package io.keyferry.reconciler;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.keyferry.reconciler.OperatorHarness.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Stage;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A one-shot migration through the operator: apply -> Jobs -> progress in status -> Verified -> Succeeded. */
@ExtendWith(Canary.class)
@EnableKubernetesMockClient(crud = true)
class OneShotOperatorTest {
    KubernetesClient client;

    @Test
    void appliedMigrationCopiesEverySourceThroughJobsReportsProgressAndSucceeds() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.withoutDumpRestore(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            target.redis().configSet("requirepass", Canary.PASSWORD);
            seed(a.redis(), "a", 6000);
            seed(b.redis(), "b", 3000);
            b.redis().set("a:str:1", "from b");                 // both sources write this key: b is later, b wins
            h.secret("target-auth", "password", Canary.PASSWORD);

            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: merge}
                    spec:
                      sources:
                        - {name: a, endpoint: {uri: "%s"}}
                        - {name: b, endpoint: {uri: "%s"}}
                      target: {endpoint: {uri: "%s", passwordSecretRef: {name: target-auth, key: password}}}
                      policies: {default: Overwrite}
                      worker: {batchSize: 100, rateLimit: {keysPerSecond: 2000}}
                    """.formatted(a.uri(), b.uri(), target.uri()));

            DataMigration done = h.await("merge", "Ready/Succeeded", Duration.ofSeconds(90),
                    dm -> condition(dm, "Ready", "True"));
            assertEquals(Stage.VERIFIED, done.getStatus().getStage());
            assertTrue(condition(done, "Copied", "True"));
            assertTrue(condition(done, "Verified", "True"));
            assertTrue(condition(done, "Stalled", "False"));
            assertEquals(100.0, done.getStatus().getProgress().percent());
            assertEquals(9001L, done.getStatus().getProgress().keysScanned());
            assertEquals(1L, done.getStatus().getObservedGeneration());
            assertEquals(List.of("a", "b"), done.getStatus().getSources().stream().map(s -> s.name()).toList());
            assertEquals(0L, done.getStatus().getVerification().mismatches());

            // Progress was visible before the end (progress alone is written at most every 5 s, a stage change at once).
            List<DataMigration> seen = h.history("merge");
            assertTrue(seen.stream().anyMatch(dm -> dm.getStatus() != null && dm.getStatus().getProgress() != null
                            && dm.getStatus().getProgress().percent() > 0 && dm.getStatus().getProgress().percent() < 100),
                    "a status with the copy in progress: " + seen.stream().map(dm -> dm.getStatus() == null ? "-"
                            : dm.getStatus().getStage() + " " + dm.getStatus().getProgress()).toList());

            // One Job per source, then one verification; each owned by the migration, credentials only as Secret volumes.
            List<Job> jobs = h.jobs();
            assertEquals(3, jobs.size(), jobs.stream().map(j -> j.getMetadata().getName()).toList().toString());
            for (Job j : jobs) {
                assertEquals("merge", j.getMetadata().getOwnerReferences().get(0).getName());
                String env = j.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().toString();
                assertFalse(env.contains(Canary.PASSWORD), "no secret in a Job's environment");
                assertTrue(j.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .anyMatch(v -> v.getSecret() != null && v.getSecret().getSecretName().equals("target-auth")));
                assertTrue(j.getSpec().getPodFailurePolicy().getRules().stream().anyMatch(r -> r.getAction().equals("Ignore")
                        && r.getOnPodConditions().stream().anyMatch(c -> c.getType().equals("DisruptionTarget"))),
                        "a drained node or a preemption uses up no backoffLimit");
            }
            assertTrue(h.client.configMaps().inNamespace(OperatorHarness.NS).list().getItems().size() >= 3);

            // The target is the sources merged in list order.
            RedisCommands<String, String> t = target.redis();
            t.auth(Canary.PASSWORD);
            Map<String, String> want = new TreeMap<>(snapshot(a.redis()));
            want.putAll(snapshot(b.redis()));
            Map<String, String> got = snapshot(t);
            assertEquals(want.size(), got.size());
            assertEquals(want, got);

            List<String> reasons = h.events("merge").stream().map(e -> e.getReason()).toList();
            assertTrue(reasons.contains("WorkerStarted"), reasons.toString());
            assertTrue(reasons.contains("Verified"), reasons.toString());
            assertTrue(reasons.contains("Succeeded"), reasons.toString());
            assertEquals(List.of(), target.redis().keys("keyferry:*"), "the checkpoints are gone once the copy is verified");

            // Nothing changes any more: reconciles go on (resync every second) but status is not written again.
            long writes = h.operator.metrics().statusWrites();
            long reconciles = h.operator.metrics().reconciles();
            String version = h.get("merge").getMetadata().getResourceVersion();
            OperatorHarness.sleep(4000);
            assertTrue(h.operator.metrics().reconciles() >= reconciles + 3, "reconciles kept running");
            assertEquals(writes, h.operator.metrics().statusWrites(), "no status write without a change");
            assertEquals(version, h.get("merge").getMetadata().getResourceVersion(), "the resource was not touched");
        }
    }

    static void seed(RedisCommands<String, String> r, String prefix, int keys) {
        for (int i = 0; i < keys; i++) {
            switch (i % 4) {
                case 0 -> r.set(prefix + ":str:" + i, "v" + i);
                case 1 -> r.hset(prefix + ":hash:" + i, Map.of("f", "v" + i, "g", "w"));
                case 2 -> r.rpush(prefix + ":list:" + i, "x", "y" + i);
                default -> r.sadd(prefix + ":set:" + i, "m", "n" + i);
            }
        }
    }

    static Map<String, String> snapshot(RedisCommands<String, String> r) {
        Map<String, String> m = new TreeMap<>();
        for (String k : r.keys("*")) {
            if (!k.startsWith("keyferry:")) {
                m.put(k, Values.of(r, k));
            }
        }
        return m;
    }

    @Test
    void parallelWorkersCopyTheShardsOfEachSourceAtOnceAndTheResultIsOneCopy() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            seed(a.redis(), "a", 3000);
            seed(b.redis(), "b", 1000);
            b.redis().set("a:str:0", "from b, the later source");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: parallel}
                    spec:
                      sources:
                        - {name: a, endpoint: {uri: "%s"}}
                        - {name: b, endpoint: {uri: "%s"}}
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      worker: {parallelism: 3, batchSize: 100}
                    """.formatted(a.uri(), b.uri(), target.uri()));
            DataMigration done = h.await("parallel", "Succeeded", Duration.ofSeconds(90), dm -> condition(dm, "Ready", "True"));
            List<String> copies = h.jobs().stream().map(j -> j.getMetadata().getName()).filter(n -> n.contains("-copy-")).sorted().toList();
            assertEquals(6, copies.size(), copies.toString());
            assertTrue(copies.stream().anyMatch(n -> n.startsWith("parallel-copy-0s2-")), copies.toString());
            assertEquals(4001L, done.getStatus().getProgress().keysScanned());
            Map<String, String> want = new TreeMap<>(snapshot(a.redis()));
            want.putAll(snapshot(b.redis()));
            assertEquals(want, snapshot(target.redis()));
            assertEquals("from b, the later source", target.redis().get("a:str:0"), "sources still apply in list order");
            assertEquals(List.of(), target.redis().keys("keyferry:*"), "every part's checkpoint and fence removed");
        }
    }

    /**
     * spec.worker.backfill: Snapshot through the operator: the copy Job takes the source's snapshot, though the target
     * holds KeyFerry's own keys already (the undo decision, the checkpoint), the verification Job reads a second one,
     * and the migration succeeds with the stores equal.
     */
    @Test
    void aSnapshotBackfillRunsThroughTheJobsAndIsVerifiedFromASecondSnapshot() {
        try (RedisServer source = RedisServer.start(List.of("--repl-diskless-sync-delay", "0"));
             RedisServer target = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            seed(source.redis(), "k", 3000);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: snapshot}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      worker: {backfill: Snapshot}
                    """.formatted(source.uri(), target.uri()));
            DataMigration done = h.await("snapshot", "Succeeded", Duration.ofSeconds(90), dm -> condition(dm, "Ready", "True"));
            assertEquals(Stage.VERIFIED, done.getStatus().getStage());
            assertEquals(3000L, done.getStatus().getProgress().keysScanned());
            assertEquals(3000L, done.getStatus().getVerification().keysChecked());
            String stats = source.redis().info("stats");
            assertTrue(stats.contains("sync_full:2\r\n"), "one snapshot for the copy, one for the verification: " + stats);
            String commands = source.redis().info("commandstats");
            assertFalse(commands.contains("cmdstat_type:"), "no key typed, so none read one by one: " + commands);
            assertEquals(snapshot(source.redis()), snapshot(target.redis()));
        }
    }

    @Test
    void anOperatorRestartedMidCopyCarriesOnFromWhatTheApiHoldsWithoutStartingJobsTwice() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            seed(source.redis(), "k", 4000);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: failover}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      worker: {batchSize: 100, rateLimit: {keysPerSecond: 1000}}
                    """.formatted(source.uri(), target.uri()));
            h.await("failover", "copying", Duration.ofSeconds(30), dm -> dm.getStatus().getStage() == Stage.COPYING);

            h.restartOperator();

            DataMigration done = h.await("failover", "Succeeded after the restart", Duration.ofSeconds(60),
                    dm -> condition(dm, "Ready", "True"));
            assertEquals(Stage.VERIFIED, done.getStatus().getStage());
            assertEquals(2, h.jobs().size(), "one copy and one verification, none started twice: "
                    + h.jobs().stream().map(j -> j.getMetadata().getName()).toList());
            assertEquals(snapshot(source.redis()), snapshot(target.redis()));
            assertEquals(1, h.events("failover").stream().filter(e -> e.getReason().equals("Succeeded")).count());
        }
    }
}
