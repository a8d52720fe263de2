package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.reconciler.HealthServer;
import io.keyferry.reconciler.KeyFerryOperator;
import io.keyferry.reconciler.OperatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import static io.keyferry.cli.OperatorCommandTest.config;
import static io.keyferry.cli.OperatorCommandTest.get;

/** The operator's /healthz, /readyz and /metrics against a running operator. */
@EnableKubernetesMockClient(crud = true)
class HealthServerTest {

    KubernetesClient client;
    io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

    @Test
    void healthReadinessAndMetricsAreServedOnceTheOperatorRuns() throws Exception {
        try (KeyFerryOperator operator = new KeyFerryOperator(client, config(), null, Clock.systemUTC());
             HealthServer health = new HealthServer("127.0.0.1", 0, operator::started, operator.metrics()::scrape)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, get(http, health, "/healthz").statusCode());
            assertEquals(503, get(http, health, "/readyz").statusCode(), "not ready before the informers are synced");
            operator.start();
            assertEquals(200, get(http, health, "/readyz").statusCode());
            String metrics = get(http, health, "/metrics").body();
            assertTrue(metrics.contains("# TYPE keyferry_reconciles_total counter"), metrics);
            assertTrue(metrics.contains("keyferry_status_writes_total 0"), metrics);
        }
    }

    @Test
    void withLeaderElectionTheLeaderHoldsTheLeaseAndReconciles() {
        io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration election =
                io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration("keyferry-operator").withLeaseNamespace("test").withIdentity("replica-1")
                        .withExitOnStopLeading(false).build();   // the production default exits: a new pod takes over
        // JOSDK first asks whether it may use Leases (a SelfSubjectRulesReview); the mock cannot answer that itself.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                        .withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*").endResourceRule()
                        .endStatus().build())
                .always();
        try (KeyFerryOperator operator = new KeyFerryOperator(client, config(), election, Clock.systemUTC())) {
            operator.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            io.fabric8.kubernetes.api.model.coordination.v1.Lease lease = null;
            while (System.nanoTime() < deadline) {
                lease = client.leases().inNamespace("test").withName("keyferry-operator").get();
                if (lease != null && "replica-1".equals(lease.getSpec().getHolderIdentity())) {
                    break;
                }
                Thread.onSpinWait();
            }
            assertTrue(lease != null && "replica-1".equals(lease.getSpec().getHolderIdentity()), "the Lease is held: " + lease);
        }
    }
}
