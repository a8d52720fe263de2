package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.reconciler.HealthServer;
import io.keyferry.reconciler.KeyFerryOperator;
import io.keyferry.reconciler.OperatorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** `keyferry operator`: its options, a start that cannot work, and the health and metrics endpoints. */
@EnableKubernetesMockClient
class OperatorCommandTest {
    KubernetesClient client;

    @Test
    void versionIsTheBuildsEvenWithoutAJarManifest() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter()), "--version"));
        assertTrue(out.toString().matches("keyferry \\d+\\.\\d+\\.\\d+.*\\s*"), out.toString());
    }

    @Test
    void withoutAWorkerImageItSaysWhatIsMissingAndExits2() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "operator", "--worker-image", "");
        assertEquals(ExitCodes.INVALID_INPUT, code);
        assertTrue(err.toString().contains("--worker-image"), err.toString());
    }

    @Test
    void leaderElectionWithoutALeaseNamespaceIsRefused() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "operator",
                "--worker-image", "keyferry:1", "--lease-namespace", "");
        assertEquals(ExitCodes.INVALID_INPUT, code);
        assertTrue(err.toString().contains("--no-leader-election"), err.toString());
    }

    @Test
    void aMissingCrdStopsTheStartWithAPlainReason() {
        // Not in CRUD mode: the mock answers 404 to everything, as a server without the CRD does for datamigrations.
        try (KeyFerryOperator operator = new KeyFerryOperator(client, config(), null, Clock.systemUTC())) {
            RuntimeException e = assertThrows(RuntimeException.class, operator::start);
            String why = OperatorCommand.explain(e);
            assertTrue(why.contains("CRD is not installed") && why.contains("crds/"), why);
        }
    }

    static HttpResponse<String> get(HttpClient http, HealthServer health, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static OperatorConfig config() {
        return new OperatorConfig(Set.of(), "keyferry:test", "keyferry-worker", Duration.ofMinutes(5));
    }
}
