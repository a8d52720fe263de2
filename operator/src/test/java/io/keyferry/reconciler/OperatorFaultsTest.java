package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.testing.Datasets;
import io.keyferry.testing.DualWriter;
import io.keyferry.testing.FaultProxy;
import io.keyferry.testing.FaultProxy.Way;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Network faults in a live operator run, between the worker pods and the target: a connection reset mid-copy is
 * retried inside the pod (spec.worker.retries) and the migration succeeds exact with one pod per Job; a target that
 * stays silent past the retries fails the stage with the target and the cause named, and a retry (spec.retryNonce)
 * once it answers again resumes from the checkpoint to an exact target.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorFaultsTest {
    private static final int KEYS = 3000;
    KubernetesClient client;

    @Test
    void aResetTargetConnectionIsRetriedInThePodAndTheMigrationSucceedsExact() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             FaultProxy toTarget = FaultProxy.to(target); OperatorHarness h = new OperatorHarness(client)) {
            Datasets.mixed(source, KEYS, 20);
            CompletableFuture<Void> fault = afterSomeWrites(toTarget, toTarget::resetAll);
            h.apply(manifest("reset", source, toTarget, ""));

            DataMigration done = h.await("reset", "Ready", Duration.ofSeconds(120), dm -> condition(dm, "Ready", "True"));
            fault.join();

            assertEquals(Map.of(), DualWriter.differences(source, target));
            assertEquals(0L, done.getStatus().getVerification().mismatches());
            assertTrue(toTarget.resets() >= 1, "the connections were reset");
            List<String> copies = pods(h, "reset-copy-0");
            assertEquals(1, copies.size(), "one pod: the fault was retried inside it\n" + copies);
            assertTrue(copies.get(0).contains("; retry 1 of 5 in 1 s") && copies.get(0).contains(" exit 0:"), copies.get(0));
        }
    }

    @Test
    void aTargetSilentPastTheRetriesFailsNamingItAndARetryResumesExact() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             FaultProxy toTarget = FaultProxy.to(target); OperatorHarness h = new OperatorHarness(client)) {
            Datasets.mixed(source, KEYS, 20);
            CompletableFuture<Void> fault = afterSomeWrites(toTarget, () -> toTarget.blackHole(true));
            h.apply(manifest("silent", source, toTarget, ", retries: 1, replyTimeoutSeconds: 2, connectTimeoutSeconds: 1, backoffLimit: 0"));

            DataMigration failed = h.await("silent", "Failed", Duration.ofSeconds(120), dm -> condition(dm, "Stalled", "True"));
            fault.join();
            String message = conditionMessage(failed, "Stalled");
            assertTrue(message.contains("target (" + toTarget.uri() + ")") && message.contains("no reply")
                    && message.contains("still failing after 1 retry"), message);

            toTarget.blackHole(false);
            h.patchSpec("silent", Map.of("retryNonce", "2"));
            h.await("silent", "Ready after the retry", Duration.ofSeconds(120), dm -> condition(dm, "Ready", "True"));
            assertEquals(Map.of(), DualWriter.differences(source, target));
            assertTrue(pods(h, "silent-copy-0").stream().anyMatch(p -> p.contains("resuming after ")),
                    "the retry resumed from the checkpoint: " + pods(h, "silent-copy-0"));
        }
    }

    private static String manifest(String name, RedisServer source, FaultProxy target, String worker) {
        return """
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: %s}
                spec:
                  sources: [{name: a, endpoint: {uri: "%s"}}]
                  target: {endpoint: {uri: "%s"}}
                  worker: {batchSize: 100, rateLimit: {keysPerSecond: 3000}%s}
                """.formatted(name, source.uri(), target.uri(), worker);
    }

    /** The logs of the pods of the Jobs whose names start so, one entry a pod. */
    private static List<String> pods(OperatorHarness h, String job) {
        return h.kubelet.log().stream().filter(l -> l.startsWith(job)).toList();
    }

    /** The fault, once 60 KB of commands went to the target: mid-copy. */
    private static CompletableFuture<Void> afterSomeWrites(FaultProxy proxy, Runnable fault) {
        return CompletableFuture.runAsync(() -> {
            try {
                proxy.awaitBytes(Way.COMMANDS, 60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fault.run();
        });
    }
}
