package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Worker pods that do not run are explained in status, with an Event, and the migration goes on once the cause is
 * fixed: a missing ServiceAccount (the Job controller creates no pod), then an image that cannot be pulled.
 */
@EnableKubernetesMockClient(crud = true)
class WorkerPodsOperatorTest {
    KubernetesClient client;

    @Test
    void aMissingServiceAccountAndAnImagePullErrorAreShownUntilFixed() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < 100; i++) {
                source.redis().set("k" + i, "v" + i);
            }
            AtomicBoolean pullFails = new AtomicBoolean(true);
            h.kubelet.requireServiceAccounts();
            h.kubelet.stuckPods(job -> pullFails.get() ? imagePullBackOff() : null);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: pods}
                    spec:
                      sources: [{name: a, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      worker: {podTemplate: {serviceAccountName: migrator}}
                    """.formatted(source.uri(), target.uri()));

            DataMigration noPod = h.await("pods", "Stalled/ServiceAccountMissing", Duration.ofSeconds(60),
                    dm -> conditionMessage(dm, "Stalled").startsWith("ServiceAccountMissing: worker Job pods-"));
            assertTrue(conditionMessage(noPod, "Stalled").contains("the ServiceAccount migrator does not exist in namespace test"),
                    conditionMessage(noPod, "Stalled"));
            assertTrue(condition(noPod, "Ready", "False"));
            assertTrue(noPod.getStatus().getSources().get(0).lastError().startsWith("ServiceAccountMissing: "));

            client.serviceAccounts().inNamespace(OperatorHarness.NS).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("migrator").endMetadata().build()).create();
            DataMigration pulling = h.await("pods", "Stalled/ImagePullBackOff", Duration.ofSeconds(60),
                    dm -> conditionMessage(dm, "Stalled").startsWith("ImagePullBackOff: "));
            assertTrue(conditionMessage(pulling, "Stalled").contains("cannot pull the image keyferry:test (ImagePullBackOff: "
                    + "Back-off pulling image"), conditionMessage(pulling, "Stalled"));

            pullFails.set(false);
            h.await("pods", "Ready", Duration.ofSeconds(90), dm -> condition(dm, "Ready", "True"));
            assertTrue(h.events("pods").stream().anyMatch(e -> "Warning".equals(e.getType())
                    && "ServiceAccountMissing".equals(e.getReason())));
            assertTrue(h.events("pods").stream().anyMatch(e -> "Warning".equals(e.getType())
                    && "ImagePullBackOff".equals(e.getReason())));
        }
    }

    private static PodStatus imagePullBackOff() {
        return new PodStatusBuilder().withPhase("Pending").addNewContainerStatus().withName("worker").withImage("keyferry:test")
                .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"keyferry:test\"").endWaiting().endState().endContainerStatus().build();
    }
}
