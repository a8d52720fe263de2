package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's Prometheus metrics, in the text exposition format: reconciles (started, failed),
 * status writes, Jobs created, flag writes, time spent in each stage, and keys copied per migration.
 * Also JOSDK's {@link Metrics} hook, so reconciles are counted where JOSDK runs them.
 */
public final class OperatorMetrics implements Metrics {
    private final AtomicLong reconciles = new AtomicLong();
    private final AtomicLong reconcileFailures = new AtomicLong();
    private final AtomicLong statusWrites = new AtomicLong();
    private final AtomicLong jobsCreated = new AtomicLong();
    private final AtomicLong flagWrites = new AtomicLong();
    /** Seconds spent in each stage that was left, and how often it was left. */
    private final Map<String, double[]> stageSeconds = new ConcurrentHashMap<>();
    private final Map<String, StageEntry> currentStage = new ConcurrentHashMap<>();
    private final Map<String, long[]> keys = new ConcurrentHashMap<>();

    private record StageEntry(Stage stage, Instant since) {}

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        reconciles.incrementAndGet();
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        reconcileFailures.incrementAndGet();
    }

    public long reconciles() { return reconciles.get(); }
    public long statusWrites() { return statusWrites.get(); }

    void statusWritten() { statusWrites.incrementAndGet(); }
    void jobCreated() { jobsCreated.incrementAndGet(); }
    void flagWritten() { flagWrites.incrementAndGet(); }

    /** Records a status about to be written: stage changes and keys copied. */
    void observe(DataMigration dm, DataMigrationStatus status, Instant now) {
        String id = dm.getMetadata().getNamespace() + "/" + dm.getMetadata().getName();
        StageEntry entry = currentStage.get(id);
        if (status.getStage() != null && (entry == null || entry.stage() != status.getStage())) {
            if (entry != null) {
                double seconds = Duration.between(entry.since(), now).toMillis() / 1000.0;
                stageSeconds.merge(Decider.name(entry.stage()), new double[] {seconds, 1},
                        (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
            }
            currentStage.put(id, new StageEntry(status.getStage(), now));
        }
        if (status.getProgress() != null) {
            keys.put(id, new long[] {nz(status.getProgress().keysScanned()), nz(status.getProgress().keysWritten())});
        }
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    /** The metrics in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        StringBuilder sb = new StringBuilder();
        counter(sb, "keyferry_reconciles_total", "Reconciles started.", reconciles.get());
        counter(sb, "keyferry_reconcile_failures_total", "Reconciles that failed with an unexpected error (retried).",
                reconcileFailures.get());
        counter(sb, "keyferry_status_writes_total", "DataMigration status writes.", statusWrites.get());
        counter(sb, "keyferry_jobs_created_total", "Worker Jobs created.", jobsCreated.get());
        counter(sb, "keyferry_flag_writes_total", "Routing flag writes (phase transitions).", flagWrites.get());
        sb.append("# HELP keyferry_stage_seconds Time migrations spent in a stage, counted when they left it.\n")
                .append("# TYPE keyferry_stage_seconds summary\n");
        new TreeMap<>(stageSeconds).forEach((stage, v) -> sb
                .append("keyferry_stage_seconds_sum{stage=\"").append(stage).append("\"} ").append(v[0]).append('\n')
                .append("keyferry_stage_seconds_count{stage=\"").append(stage).append("\"} ").append((long) v[1]).append('\n'));
        sb.append("# HELP keyferry_keys_scanned Keys scanned by a migration's copy.\n# TYPE keyferry_keys_scanned gauge\n");
        new TreeMap<>(keys).forEach((id, v) -> sb.append("keyferry_keys_scanned").append(labels(id)).append(' ').append(v[0]).append('\n'));
        sb.append("# HELP keyferry_keys_copied Keys a migration's copy wrote to the target.\n# TYPE keyferry_keys_copied gauge\n");
        new TreeMap<>(keys).forEach((id, v) -> sb.append("keyferry_keys_copied").append(labels(id)).append(' ').append(v[1]).append('\n'));
        return sb.toString();
    }

    private static String labels(String id) {
        int slash = id.indexOf('/');
        return "{namespace=\"" + escape(id.substring(0, slash)) + "\",name=\"" + escape(id.substring(slash + 1)) + "\"}";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
