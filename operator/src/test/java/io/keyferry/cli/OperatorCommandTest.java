package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `keyferry operator`: its options, and starts that cannot work: each says why and exits 4. */
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
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.CANNOT_START, command().serve(client, null, new PrintWriter(err, true), new CompletableFuture<>()));
        assertTrue(err.toString().contains("cannot start: the DataMigration CRD is not installed")
                && err.toString().contains("crds/"), err.toString());
    }

    @Test
    void anUnreachableApiServerStopsTheStartWithAPlainReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        StringWriter err = new StringWriter();
        try (KubernetesClient nowhere = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + closed).withRequestRetryBackoffLimit(0).build()).build()) {
            assertEquals(ExitCodes.CANNOT_START, command().serve(nowhere, null, new PrintWriter(err, true), new CompletableFuture<>()));
        }
        assertTrue(err.toString().contains("cannot start: cannot reach the Kubernetes API server"), err.toString());
    }

    @Test
    void aTakenPortStopsTheStartWithItsOwnMessageNotTheOneOfRun() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "operator",
                    "--worker-image", "keyferry:1", "--no-leader-election", "--port", String.valueOf(taken.getLocalPort()));
            assertEquals(ExitCodes.CANNOT_START, code);
            assertTrue(err.toString().startsWith("keyferry operator: cannot start: cannot listen on port " + taken.getLocalPort()
                    + " (--port, for /healthz, /readyz and /metrics)"), err.toString());
            assertFalse(err.toString().contains("run the same command again"), err.toString());
        }
    }

    /** `keyferry operator` with the chart's options and no leader election, watching all namespaces. */
    static OperatorCommand command(String... more) {
        OperatorCommand command = new OperatorCommand();
        List<String> args = new ArrayList<>(List.of("--worker-image", "keyferry:test", "--port", "0", "--no-leader-election"));
        args.addAll(List.of(more));
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command;
    }
}
