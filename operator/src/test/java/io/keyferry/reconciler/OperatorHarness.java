package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.testing.ApiRequests;
import io.keyferry.testing.ChartRbac;
import io.keyferry.testing.Kubelet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The operator as it runs in a cluster, against the Fabric8 mock API server in CRUD mode, with a
 * {@link Kubelet} that runs the worker Jobs it creates. Records every status the tests could see, and every
 * request the operator and the workers send to the API: when it closes, it fails the test if the chart's RBAC
 * would refuse one of them ({@link ChartRbac}).
 */
final class OperatorHarness implements AutoCloseable {
    static final String NS = "test";

    final KubernetesClient client;
    final ApiRequests requests = new ApiRequests();
    KeyFerryOperator operator;
    private final Duration resync;
    private final Supplier<Leadership> leadership;
    private final List<KubernetesClient> clients = new ArrayList<>();
    final Kubelet kubelet;
    /** Every distinct status seen, in order, per migration name (polled every 100 ms). */
    private final Map<String, List<DataMigration>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean running = true;

    OperatorHarness(KubernetesClient client) {
        this(client, Duration.ofSeconds(1));
    }

    OperatorHarness(KubernetesClient client, Duration resync) {
        this(client, resync, () -> null);
    }

    /** @param leadership the Leadership of each operator process started, a new one each time; null for none */
    OperatorHarness(KubernetesClient client, Duration resync, Supplier<Leadership> leadership) {
        this.client = client;
        this.resync = resync;
        this.leadership = leadership;
        this.operator = startOperator();
        this.kubelet = new Kubelet(client, recordedClient(ChartRbac.WORKER, null), NS);
        this.watcher = new Thread(this::watch, "status-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private KeyFerryOperator startOperator() {
        Leadership election = leadership.get();
        KeyFerryOperator started = new KeyFerryOperator(recordedClient(ChartRbac.OPERATOR, election),
                new OperatorConfig(Set.of(NS), "keyferry:test", "keyferry-worker", resync), election, Clock.systemUTC());
        started.start();
        return started;
    }

    /** A client of its own for a component, as a pod has (the operator's with its Leadership installed). */
    private KubernetesClient recordedClient(String component, Leadership election) {
        KubernetesClient recorded = requests.client(client, component, http -> {
            if (election != null) {
                election.install(http);
            }
        });
        clients.add(recorded);
        return recorded;
    }

    /** The operator process dies and another takes over (a new leader, or the pod restarted), state only in the API. */
    void restartOperator() {
        operator.close();
        operator = startOperator();
    }

    private void watch() {
        while (running) {
            try {
                for (DataMigration dm : client.resources(DataMigration.class).inNamespace(NS).list().getItems()) {
                    List<DataMigration> list = seen.computeIfAbsent(dm.getMetadata().getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>());
                    if (list.isEmpty() || !list.get(list.size() - 1).getMetadata().getResourceVersion()
                            .equals(dm.getMetadata().getResourceVersion())) {
                        list.add(dm);
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the server is shutting down
            }
        }
    }

    List<DataMigration> history(String name) {
        return List.copyOf(seen.getOrDefault(name, List.of()));
    }

    DataMigration apply(String yaml) {
        DataMigration dm = Serialization.unmarshal(yaml, DataMigration.class);
        dm.getMetadata().setNamespace(NS);
        return client.resource(dm).create();
    }

    void secret(String name, String key, String value) {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .addToData(key, java.util.Base64.getEncoder().encodeToString(value.getBytes())).build()).create();
    }

    DataMigration get(String name) {
        return client.resources(DataMigration.class).inNamespace(NS).withName(name).get();
    }

    /** `kubectl patch dm NAME --type merge -p '{"spec":{"phase":"..."}}'`: no resourceVersion, so no conflict. */
    DataMigration setPhase(String name, Phase phase) {
        return patchSpec(name, Map.of("phase", Decider.name(phase)));
    }

    DataMigration patchSpec(String name, Map<String, Object> spec) {
        return client.resources(DataMigration.class).inNamespace(NS).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        Serialization.asJson(Map.of("spec", spec)));
    }

    DataMigration await(String name, String what, Duration timeout, Predicate<DataMigration> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        DataMigration dm = null;
        while (System.nanoTime() < deadline) {
            dm = get(name);
            if (dm != null && dm.getStatus() != null && condition.test(dm)) {
                return dm;
            }
            sleep(100);
        }
        fail("timed out waiting for " + what + "; last status: " + (dm == null ? "none" : Serialization.asYaml(dm.getStatus()))
                + "\njobs: " + jobs().stream().map(j -> j.getMetadata().getName()).toList()
                + "\nevents: " + events(name).stream().map(e -> e.getReason() + ": " + e.getMessage()).toList()
                + "\npods:\n" + String.join("\n", kubelet.log()));
        return null;
    }

    List<Job> jobs() {
        return client.batch().v1().jobs().inNamespace(NS).list().getItems();
    }

    List<Event> events(String name) {
        List<Event> out = new ArrayList<>(client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList());
        out.sort(Comparator.comparing(e -> e.getMetadata().getName()));
        return out;
    }

    static boolean condition(DataMigration dm, String type, String status) {
        return dm.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals(type) && c.getStatus().equals(status));
    }

    static String conditionMessage(DataMigration dm, String type) {
        return dm.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).map(c -> c.getReason() + ": " + c.getMessage())
                .findFirst().orElse("");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the operator and its workers wrote where a user reads it, for the canary's check (testing.Canary). */
    private void recordOutputs() {
        io.keyferry.testing.Canary.record("DataMigrations (status included)", Serialization.asYaml(
                client.resources(DataMigration.class).inNamespace(NS).list().getItems()));
        io.keyferry.testing.Canary.record("Events", Serialization.asYaml(client.v1().events().inNamespace(NS).list().getItems()));
        io.keyferry.testing.Canary.record("ConfigMaps", Serialization.asYaml(client.configMaps().inNamespace(NS).list().getItems()));
        io.keyferry.testing.Canary.record("Jobs", Serialization.asYaml(client.batch().v1().jobs().inNamespace(NS).list().getItems()));
        io.keyferry.testing.Canary.record("worker logs", String.join("\n", kubelet.log()));
    }

    @Override
    public void close() {
        running = false;
        watcher.interrupt();
        recordOutputs();
        kubelet.close();
        operator.close();
        clients.forEach(KubernetesClient::close);
        ChartRbac.watching(NS).assertAllowed(requests.all());
    }
}
