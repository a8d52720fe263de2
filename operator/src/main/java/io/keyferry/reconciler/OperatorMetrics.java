package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The operator's metrics, in a Micrometer Prometheus registry. JOSDK's own (reconciliations started, failed and
 * retried, execution times, events, queue sizes) come from its {@link MicrometerMetrics}, to which this JOSDK
 * {@link Metrics} hook hands every call. KeyFerry adds status writes, Jobs created, time spent per stage, whether
 * this replica leads, the JVM's memory, threads and CPU, and per migration the series of {@link MigrationMeters};
 * those of a deleted migration are removed when JOSDK has cleaned up after its delete event.
 */
public final class OperatorMetrics implements Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Metrics josdk = MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource().build();
    private final Counter statusWrites = Counter.builder("keyferry.status.writes")
            .description("DataMigration status writes.").register(registry);
    private final Counter jobsCreated = Counter.builder("keyferry.worker.jobs")
            .description("Worker Jobs created.").register(registry);
    private final Map<ResourceID, MigrationMeters> migrations = new ConcurrentHashMap<>();
    private final Map<ResourceID, StageEntry> currentStage = new ConcurrentHashMap<>();

    private record StageEntry(Stage stage, Instant since) {}

    /** @param leading whether this replica holds the Lease (always true without leader election) */
    public OperatorMetrics(BooleanSupplier leading) {
        Gauge.builder("keyferry.operator.leader", () -> leading.getAsBoolean() ? 1 : 0)
                .description("1 while this operator replica is the leader (holds the Lease, or runs without leader"
                        + " election), 0 while it stands by.").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The metrics in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    /** Reconciliations JOSDK started, as its counters count them. */
    public long reconciles() {
        return (long) registry.find("operator.sdk.reconciliations.started").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    public long statusWrites() {
        return (long) statusWrites.count();
    }

    void statusWritten() { statusWrites.increment(); }
    void jobCreated() { jobsCreated.increment(); }

    void flagWritten(DataMigration dm) {
        meters(dm).flagWritten();
    }

    /** Records what the reconciler observed and decided: the status (written or unchanged) and the migration's worker runs. */
    void observe(DataMigration dm, DataMigrationStatus status, List<WorkerRun> runs, Instant now) {
        meters(dm).observe(dm, status, runs);
        ResourceID id = ResourceID.fromResource(dm);
        StageEntry entry = currentStage.get(id);
        if (status.getStage() != null && (entry == null || entry.stage() != status.getStage())) {
            if (entry != null) {
                Timer.builder("keyferry.stage").description("Time migrations spent in a stage, counted when they left it.")
                        .tag("stage", Decider.name(entry.stage())).register(registry)
                        .record(Duration.between(entry.since(), now));
            }
            currentStage.put(id, new StageEntry(status.getStage(), now));
        }
    }

    private MigrationMeters meters(DataMigration dm) {
        return migrations.computeIfAbsent(ResourceID.fromResource(dm),
                id -> new MigrationMeters(registry, id.getNamespace().orElse(""), id.getName()));
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        josdk.cleanupDoneFor(resourceID, metadata);
        currentStage.remove(resourceID);
        MigrationMeters gone = migrations.remove(resourceID);
        if (gone != null) {
            gone.clear();
        }
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
        josdk.controllerRegistered(controller);
    }

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
        josdk.receivedEvent(event, metadata);
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        josdk.reconcileCustomResource(resource, retryInfo, metadata);
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        josdk.failedReconciliation(resource, exception, metadata);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        josdk.reconciliationExecutionStarted(resource, metadata);
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        josdk.reconciliationExecutionFinished(resource, metadata);
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        josdk.finishedReconciliation(resource, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        return josdk.timeControllerExecution(execution);
    }

    @Override
    public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
        return josdk.monitorSizeOf(map, name);
    }
}
