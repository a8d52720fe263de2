package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.metrics.DashboardContract;
import io.keyferry.testing.metrics.DashboardPicture;
import io.keyferry.testing.metrics.PromText;
import io.keyferry.testing.metrics.Scrapes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The operator's /metrics during a real run (two sources copied through worker Jobs, a verification that finds a
 * key missing, a cutover blocked by it and then let through, a migration with an invalid spec that is deleted),
 * scraped as Prometheus would; the API server fails one request, so one reconcile fails. The series say what the status says; a deleted migration's series are gone; and
 * every metric and label the chart's dashboard and alerts query is among what was served.
 * With {@code -Dkeyferry.dashboardPng=PATH} it also draws the dashboard's panels from these scrapes
 * (scripts/render-dashboard.sh).
 */
@EnableKubernetesMockClient(crud = true)
class MetricsContractTest {
    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void seriesFollowTheMigrationLeaveWithItAndServeEveryQueryOfTheDashboardAndTheAlerts() throws Exception {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start(); RedisServer target = RedisServer.start();
             RedisServer flags = RedisServer.start(); OperatorHarness h = new OperatorHarness(client);
             HealthServer health = new HealthServer("127.0.0.1", 0, () -> true, () -> h.operator.metrics().scrape());
             Scrapes scrapes = new Scrapes(URI.create("http://127.0.0.1:" + health.port() + "/metrics"), Duration.ofMillis(500))) {
            OneShotOperatorTest.seed(a.redis(), "a", 4000);
            OneShotOperatorTest.seed(b.redis(), "b", 2000);
            // An admission webhook denies the first Job create (the client retries a 5xx by itself, not this): that
            // reconcile fails, JOSDK counts it and retries.
            server.expect().post().withPath("/apis/batch/v1/namespaces/" + OperatorHarness.NS + "/jobs")
                    .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403)
                            .withMessage("admission webhook \"jobs.policy.example\" denied the request").build())
                    .once();
            AtomicBoolean sabotaged = new AtomicBoolean();
            h.kubelet.beforePod(job -> {
                if (job.getMetadata().getName().contains("-verify-") && sabotaged.compareAndSet(false, true)) {
                    target.redis().del("a:str:0");
                }
            });
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: users}
                    spec:
                      sources:
                        - {name: a, endpoint: {uri: "%s"}}
                        - {name: b, endpoint: {uri: "%s"}}
                      target: {endpoint: {uri: "%s"}}
                      phase: DualWrite
                      cutover:
                        flag: {endpoint: {uri: "%s"}, key: migrate_users}
                        maxMismatches: 0
                        reverifySeconds: 2
                      sync: {mode: Continuous}
                      verify: {mode: Full, rounds: 1, roundPauseSeconds: 0, repair: false}
                      worker: {batchSize: 100, rateLimit: {keysPerSecond: 800}}
                    """.formatted(a.uri(), b.uri(), target.uri(), flags.uri()));
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: broken}
                    spec:
                      sources: [{name: s, endpoint: {uri: "http://127.0.0.1:1"}}]
                      target: {endpoint: {uri: "%s"}}
                    """.formatted(target.uri()));

            h.await("users", "copying", Duration.ofSeconds(60), dm -> dm.getStatus().getSources().stream()
                    .anyMatch(s -> s.percent() != null && s.percent() > 0));
            h.setPhase("users", Phase.READ_TARGET);
            h.await("users", "ReadTarget refused on the missing key", Duration.ofSeconds(90),
                    dm -> condition(dm, "TransitionBlocked", "True") && conditionMessage(dm, "TransitionBlocked").contains("differ"));
            target.redis().set("a:str:0", a.redis().get("a:str:0"));
            DataMigration reading = h.await("users", "ReadTarget in force", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);
            h.await("broken", "Stalled", Duration.ofSeconds(20), dm -> condition(dm, "Stalled", "True"));
            OperatorHarness.sleep(2000); // a few scrapes with ReadTarget in force, for the picture

            Scrapes.Scrape last = scrapes.scrapeNow();
            Map<String, String> users = Map.of("namespace", OperatorHarness.NS, "migration", "users");
            assertEquals(1.0, value(last, "keyferry_migration_phase", users, "phase", "ReadTarget"));
            assertEquals(0.0, value(last, "keyferry_migration_phase", users, "phase", "DualWrite"));
            assertEquals(1.0, value(last, "keyferry_migration_flag", users, "flag", reading.getStatus().getFlag()));
            assertEquals(1.0, value(last, "keyferry_migration_stage", users, "stage", "Verified"));
            assertEquals(reading.getStatus().getRollback().history().size(), value(last, "keyferry_flag_writes_total", users),
                    "one flag write per transition in the history");
            assertEquals(1.0, value(last, "keyferry_guard_blocks_total", users), "ReadTarget was blocked once, for a while");
            assertEquals(100.0, value(last, "keyferry_migration_progress_percent", users));
            assertEquals(4000.0, value(last, "keyferry_keys_scanned_total", users, "source", "a"));
            assertEquals(2000.0, value(last, "keyferry_keys_scanned_total", users, "source", "b"));
            assertEquals(0.0, value(last, "keyferry_verification_missing", users));
            assertEquals(0.0, value(last, "keyferry_verification_max_mismatches", users));
            assertEquals(0.0, value(last, "keyferry_sync_lag_seconds", users, "source", "b"), "b's live sync has caught up");
            assertTrue(max(scrapes, "keyferry_verification_missing", users).orElse(0) >= 1, "the missing key was seen");
            assertTrue(max(scrapes, "keyferry_source_keys_per_second", Map.of("migration", "users", "source", "a")).orElse(0) > 0,
                    "source a's rate while it was copied");
            assertTrue(max(scrapes, "keyferry_migration_eta_seconds", users).isPresent(), "an ETA while copying");
            assertEquals(1.0, value(last, "keyferry_migration_condition", Map.of("migration", "broken"), "type", "Stalled"));
            assertTrue(value(last, "operator_sdk_reconciliations_started_total", Map.of()) > 0, "JOSDK counts reconciles");
            // JOSDK's reconciliations_failed counts only a failure retried on a timer, not one an event re-runs at once
            // (as here): the execution's failure counter counts every one.
            assertTrue(value(last, "operator_sdk_controllers_execution_reconcile_failure_total", Map.of()) >= 1,
                    "and the one the webhook denied");

            // A deleted migration's series go; the other's stay.
            h.client.resources(DataMigration.class).inNamespace(OperatorHarness.NS).withName("broken").delete();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!series(scrapes.scrapeNow(), Map.of("migration", "broken")).isEmpty() && System.nanoTime() < deadline) {
                OperatorHarness.sleep(200);
            }
            Scrapes.Scrape after = scrapes.scrapeNow();
            assertEquals(List.of(), series(after, Map.of("migration", "broken")), "no series of the deleted migration");
            assertEquals(1.0, value(after, "keyferry_migration_phase", users, "phase", "ReadTarget"));

            DashboardContract contract = DashboardContract.ofChart();
            assertEquals(List.of(), contract.unserved(scrapes.seen()),
                    "every metric and label the dashboard and the alerts use is served; served: " + scrapes.seen());
            String png = System.getProperty("keyferry.dashboardPng");
            if (png != null && !png.isBlank()) {
                DashboardPicture.render(contract.dashboard(), scrapes.all(),
                        Map.of("namespace", OperatorHarness.NS, "migration", "users"), Path.of(png));
            }
        }
    }

    private static List<PromText.Sample> series(Scrapes.Scrape s, Map<String, String> labels) {
        return s.samples().stream().filter(x -> x.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** The sum of the series of {@code name} with these labels (and the given label=value pairs). */
    private static double value(Scrapes.Scrape s, String name, Map<String, String> labels, String... more) {
        Map<String, String> want = new java.util.HashMap<>(labels);
        for (int i = 0; i < more.length; i += 2) {
            want.put(more[i], more[i + 1]);
        }
        List<PromText.Sample> found = series(s, want).stream().filter(x -> x.name().equals(name)).toList();
        assertTrue(!found.isEmpty(), "a series " + name + want);
        return found.stream().mapToDouble(PromText.Sample::value).sum();
    }

    private static OptionalDouble max(Scrapes scrapes, String name, Map<String, String> labels) {
        return scrapes.all().stream().flatMap(s -> series(s, labels).stream()).filter(x -> x.name().equals(name))
                .mapToDouble(PromText.Sample::value).max();
    }
}
