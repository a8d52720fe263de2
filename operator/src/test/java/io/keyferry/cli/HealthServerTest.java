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
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator's /healthz, /readyz and /metrics against a running operator. */
@EnableKubernetesMockClient(crud = true)
class HealthServerTest {

    KubernetesClient client;

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
            assertTrue(metrics.contains("# TYPE keyferry_status_writes_total counter"), metrics);
            assertTrue(metrics.contains("\nkeyferry_status_writes_total 0.0\n"), metrics);
            assertTrue(metrics.contains("\nkeyferry_operator_leader 1.0\n"), "without leader election it leads: " + metrics);
            assertTrue(metrics.contains("\n# TYPE jvm_memory_used_bytes gauge\n"), metrics);
        }
    }

    private static HttpResponse<String> get(HttpClient http, HealthServer health, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static OperatorConfig config() {
        return new OperatorConfig(Set.of(), "keyferry:test", "keyferry-worker", Duration.ofMinutes(5));
    }
}
