package io.keyferry.worker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A worker's own metrics (`keyferry worker --metrics-port`), read from its latest report: the counts, rate,
 * percent and ETA of a copy, the counts of a verification, and the JVM's memory, threads and CPU. Tagged
 * {@code namespace}, {@code migration}, {@code worker} (copy or verify), {@code source} ({@code *} for a
 * verification, which reads them all) and {@code shard} (K/N).
 */
public final class WorkerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<WorkerReport> report;
    private final Tags tags;

    /** @param migration namespace/name, as the worker's environment has it */
    public WorkerMetrics(String migration, String worker, String source, String shard, Supplier<WorkerReport> report) {
        this.report = report;
        int slash = migration.indexOf('/');
        this.tags = Tags.of("namespace", migration.substring(0, Math.max(0, slash)), "migration", migration.substring(slash + 1),
                "worker", worker, "source", source, "shard", shard);
        counter("keyferry.worker.keys.scanned", "Keys this worker read from its source (a resumed copy counts from its checkpoint).",
                r -> r.keysScanned);
        counter("keyferry.worker.keys.copied", "Keys this worker's copy wrote to the target.", r -> r.keysWritten);
        counter("keyferry.worker.keys.skipped", "Keys this worker's copy left untouched.", r -> r.keysSkipped);
        counter("keyferry.worker.bytes.written", "Bytes of key data this worker wrote to the target.", r -> r.bytesWritten);
        gauge("keyferry.worker.keys.per.second", "Keys per second this worker scans now.", r -> r.keysPerSecond);
        gauge("keyferry.worker.progress.percent", "Share of this worker's part copied, 0 to 100.", r -> r.percent);
        gauge("keyferry.worker.eta.seconds", "Estimated seconds until this worker's copy is done; NaN while unknown.",
                r -> r.etaSeconds < 0 ? Double.NaN : r.etaSeconds);
        gauge("keyferry.worker.verification.keys.checked", "Keys this verification compared so far.",
                r -> r.verification == null ? 0 : r.verification.keysChecked);
        gauge("keyferry.worker.verification.mismatches", "Keys this verification found different.",
                r -> r.verification == null ? 0 : r.verification.mismatches);
        gauge("keyferry.worker.verification.missing", "Keys this verification found missing from the target.",
                r -> r.verification == null ? 0 : r.verification.missing);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** The metrics in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    private double read(ToDoubleFunction<WorkerReport> value) {
        WorkerReport r = report.get();
        return r == null ? 0 : value.applyAsDouble(r);
    }

    private void counter(String name, String help, ToDoubleFunction<WorkerReport> value) {
        FunctionCounter.builder(name, this, m -> m.read(value)).tags(tags).description(help).register(registry);
    }

    private void gauge(String name, String help, ToDoubleFunction<WorkerReport> value) {
        Gauge.builder(name, this, m -> m.read(value)).tags(tags).description(help).register(registry);
    }
}
