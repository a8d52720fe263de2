package io.keyferry.reconciler;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Stage;
import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Workers that die and specs that cannot work: a copy worker killed with SIGKILL mid-copy fails its Job
 * (backoffLimit 0), the migration is Failed with the reason, and after spec.retryNonce changes a new
 * Job resumes from the checkpoint in the target, ending with the exact target (no list appended twice
 * under Merge). An invalid spec is Stalled with the field path, and nothing runs or is written.
 */
@ExtendWith(Canary.class)
@EnableKubernetesMockClient(crud = true)
class WorkerFailureOperatorTest {
    KubernetesClient client;

    @Test
    void killedWorkerFailsThenANewAttemptResumesFromTheCheckpointToAnExactTarget() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            OneShotOperatorTest.seed(source.redis(), "k", 12_000);
            for (int i = 2; i < 12_000; i += 40) {
                target.redis().rpush("k:list:" + i, "existing");   // Merge appends to these: twice would show
            }
            AtomicReference<ChildJvm> first = new AtomicReference<>();
            h.kubelet.childJvmFor(job -> job.getMetadata().getName().contains("-copy-"), pod -> first.compareAndSet(null, pod.child()));

            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: resumed}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Merge, string: Overwrite}
                      verify: {mode: Full, rounds: 1, roundPauseSeconds: 0}
                      worker: {batchSize: 100, backoffLimit: 0, rateLimit: {keysPerSecond: 3000}}
                    """.formatted(source.uri(), target.uri()));

            // Kill the first copy worker once it is well into the copy.
            h.await("resumed", "the copy under way", Duration.ofSeconds(60), dm -> dm.getStatus().getProgress() != null
                    && dm.getStatus().getProgress().keysScanned() >= 3000);
            first.get().killHard();
            DataMigration failed = h.await("resumed", "Failed after the kill", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getStage() == Stage.FAILED);
            assertTrue(condition(failed, "Stalled", "True"));
            assertTrue(conditionMessage(failed, "Stalled").contains("copying source src failed"), conditionMessage(failed, "Stalled"));
            assertTrue(h.events("resumed").stream().anyMatch(e -> e.getReason().equals("Failed")));
            long scannedBeforeKill = failed.getStatus().getProgress().keysScanned();
            String failedJob = copyJobName(h, first);

            // A new attempt: a new Job, which resumes from the checkpoint the killed one left in the target.
            h.patchSpec("resumed", Map.of("retryNonce", "1"));
            DataMigration done = h.await("resumed", "Succeeded after the retry", Duration.ofSeconds(120),
                    dm -> condition(dm, "Ready", "True"));
            assertEquals(Stage.VERIFIED, done.getStatus().getStage());
            List<String> copyJobs = h.jobs().stream().map(j -> j.getMetadata().getName()).filter(n -> n.contains("-copy-")).toList();
            assertEquals(1, copyJobs.size(), "the failed attempt's Job is deleted with its report: " + copyJobs);
            assertTrue(!copyJobs.contains(failedJob), copyJobs.toString());
            assertEquals(null, h.client.configMaps().inNamespace(OperatorHarness.NS).withName(failedJob).get());
            String log = String.join("\n", h.kubelet.log());
            assertTrue(log.contains("resuming after") || scannedBeforeKill > 0, log);
            WorkerReport second = WorkerReport.parse(h.client.configMaps().inNamespace(OperatorHarness.NS)
                    .withName(copyJobs.get(0))
                    .get().getData().get(WorkerReport.DATA_KEY));
            assertTrue(second.resumedAfterKeys > 0, "the new Job resumed instead of starting over");
            assertEquals(12_000, done.getStatus().getProgress().keysScanned());

            // Exact: every list is the target's own element (if any) followed by the source's, once.
            for (int i = 2; i < 12_000; i += 4) {
                List<String> got = target.redis().lrange("k:list:" + i, 0, -1);
                List<String> want = (i % 40 == 2) ? List.of("existing", "x", "y" + i) : List.of("x", "y" + i);
                assertEquals(want, got, "k:list:" + i);
            }
            Map<String, String> sourceHash = source.redis().hgetall("k:hash:1");
            assertEquals(sourceHash, target.redis().hgetall("k:hash:1"));
        }
    }

    private static String copyJobName(OperatorHarness h, AtomicReference<ChildJvm> ignored) {
        return h.jobs().stream().map(j -> j.getMetadata().getName()).filter(n -> n.contains("-copy-")).sorted()
                .filter(n -> h.client.batch().v1().jobs().inNamespace(OperatorHarness.NS).withName(n).get().getStatus()
                        .getConditions().stream().anyMatch(c -> c.getType().equals("Failed")))
                .findFirst().orElseThrow();
    }

    @Test
    void invalidSpecIsStalledWithTheFieldPathAndNothingRuns() {
        try (RedisServer target = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: broken}
                    spec:
                      sources: [{name: src, endpoint: {uri: "http://127.0.0.1:1/0"}}]
                      target: {endpoint: {uri: "%s"}}
                    """.formatted(target.uri()));
            DataMigration dm = h.await("broken", "Stalled", Duration.ofSeconds(20), d -> condition(d, "Stalled", "True"));
            assertTrue(conditionMessage(dm, "Stalled").contains("spec.sources[0].endpoint.uri"), conditionMessage(dm, "Stalled"));
            assertTrue(condition(dm, "Ready", "False"));
            assertEquals(Stage.PENDING, dm.getStatus().getStage());
            assertTrue(h.events("broken").stream().anyMatch(e -> e.getReason().equals("InvalidSpec")
                    && e.getType().equals("Warning") && e.getMessage().contains("spec.sources[0].endpoint.uri")));
            OperatorHarness.sleep(2000);
            assertTrue(h.jobs().isEmpty(), "no Job for an invalid spec");
            assertEquals(0, target.redis().dbsize(), "nothing written");
            assertEquals(1, h.events("broken").size(), "one Event, not one per reconcile");
        }
    }

    @Test
    void aMissingSecretIsStalledWithItsFieldUntilItIsCreated() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            source.redis().set("k", "v");
            target.redis().configSet("requirepass", Canary.PASSWORD);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: nosecret}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s", passwordSecretRef: {name: target-auth, key: password}}}
                    """.formatted(source.uri(), target.uri()));
            DataMigration dm = h.await("nosecret", "Stalled on the Secret", Duration.ofSeconds(20), d -> condition(d, "Stalled", "True"));
            String why = conditionMessage(dm, "Stalled");
            assertTrue(why.contains("spec.target.endpoint.passwordSecretRef") && why.contains("test/target-auth does not exist"), why);
            assertTrue(h.jobs().isEmpty(), "no pod would ever start without its Secret volume");

            h.secret("target-auth", "password", Canary.PASSWORD);
            h.await("nosecret", "Succeeded once the Secret exists", Duration.ofSeconds(60), d -> condition(d, "Ready", "True"));
            target.redis().auth(Canary.PASSWORD);
            assertEquals("v", target.redis().get("k"));
        }
    }

    @Test
    void aTargetChangedAfterCopyingIsRefusedUntilItIsSetBack() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer other = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            source.redis().set("k", "v");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: moved}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                    """.formatted(source.uri(), target.uri()));
            h.await("moved", "Succeeded", Duration.ofSeconds(60), d -> condition(d, "Ready", "True"));
            int jobs = h.jobs().size();

            h.patchSpec("moved", Map.of("target", Map.of("endpoint", Map.of("uri", other.uri()))));
            DataMigration dm = h.await("moved", "Stalled on the changed target", Duration.ofSeconds(20),
                    d -> condition(d, "Stalled", "True"));
            assertTrue(conditionMessage(dm, "Stalled").contains("changed after copying started"), conditionMessage(dm, "Stalled"));
            OperatorHarness.sleep(1500);
            assertEquals(jobs, h.jobs().size(), "nothing runs against the new target");
            assertEquals(0, other.redis().dbsize());

            h.patchSpec("moved", Map.of("target", Map.of("endpoint", Map.of("uri", target.uri()))));
            h.await("moved", "Ready again once set back", Duration.ofSeconds(20), d -> condition(d, "Ready", "True"));
        }
    }
}
