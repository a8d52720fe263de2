package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.metrics.PromText;
import io.keyferry.worker.Worker;
import io.keyferry.worker.WorkerEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** `keyferry worker --metrics-port`: the worker serves its own /metrics while its stage runs, and only then. */
@EnableKubernetesMockClient(crud = true)
class WorkerMetricsTest {
    KubernetesClient client;

    @Test
    void aCopyWorkerServesItsCountsLabelledWithItsMigrationAndSourceWhileItRuns() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 500; i++) {
                source.redis().set("k:" + i, "v" + i);
            }
            int port = freePort();
            AtomicReference<String> during = new AtomicReference<>();
            StringWriter log = new StringWriter();
            int exit = WorkerCommand.run(env(source, target), client, new PrintWriter(log, true), worker -> {
                int code = worker.copy("a");
                try {
                    during.set(get(port));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return code;
            }, false, false, new WorkerCommand.MetricsOption(port, "copy", "a", "0/1"));

            assertEquals(Worker.OK, exit, log.toString());
            assertTrue(log.toString().contains("metrics on :" + port + "/metrics"), log.toString());
            Map<String, String> labels = Map.of("namespace", "test", "migration", "m", "worker", "copy", "source", "a", "shard", "0/1");
            List<PromText.Sample> samples = PromText.parse(during.get());
            assertEquals(500.0, value(samples, "keyferry_worker_keys_scanned_total", labels));
            assertEquals(500.0, value(samples, "keyferry_worker_keys_copied_total", labels));
            assertEquals(100.0, value(samples, "keyferry_worker_progress_percent", labels));
            assertTrue(samples.stream().anyMatch(x -> x.name().equals("jvm_memory_used_bytes")), "and the JVM's");
            assertThrows(ConnectException.class, () -> get(port), "the endpoint closes with the stage");
        }
    }

    @Test
    void aPortItCannotUseIsInvalidInputNamingTheOption() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             ServerSocket taken = new ServerSocket(0)) {
            StringWriter log = new StringWriter();
            int exit = WorkerCommand.run(env(source, target), client, new PrintWriter(log, true), w -> w.copy("a"), false, false,
                    new WorkerCommand.MetricsOption(taken.getLocalPort(), "copy", "a", "0/1"));
            assertEquals(Worker.INVALID_INPUT, exit);
            assertTrue(log.toString().contains("--metrics-port " + taken.getLocalPort() + ": cannot listen there"), log.toString());
        }
    }

    @Test
    void theOptionMayStandBeforeOrAfterTheStage() {
        for (String[] args : List.of(new String[] {"--metrics-port", "9100", "copy", "--source", "a"},
                new String[] {"copy", "--source", "a", "--metrics-port", "9100"}, new String[] {"verify", "--metrics-port", "9100"})) {
            WorkerCommand worker = new WorkerCommand();
            new picocli.CommandLine(worker).parseArgs(args);
            assertEquals(9100, worker.metricsPort, String.join(" ", args));
        }
    }

    private Map<String, String> env(RedisServer source, RedisServer target) throws Exception {
        client.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("m-report")
                .endMetadata().build()).createOr(c -> c.update());
        DataMigration dm = Serialization.unmarshal("""
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: m}
                spec:
                  sources: [{name: a, endpoint: {uri: "%s"}}]
                  target: {endpoint: {uri: "%s"}}
                """.formatted(source.uri(), target.uri()), DataMigration.class);
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnvironment.SPEC, WorkerEnvironment.specJson(dm.getSpec()));
        env.put(WorkerEnvironment.MIGRATION, "test/m");
        env.put(WorkerEnvironment.NAMESPACE, "test");
        env.put(WorkerEnvironment.CHECKPOINT_ID, "uid-m");
        env.put(WorkerEnvironment.REPORT, "m-report");
        env.put(WorkerEnvironment.SECRETS_DIR, Files.createTempDirectory("secrets").toString());
        return env;
    }

    private static double value(List<PromText.Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(x -> x.name().equals(name) && x.labels().equals(labels)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + labels)).value();
    }

    private static String get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
