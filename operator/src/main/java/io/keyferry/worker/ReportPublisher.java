package io.keyferry.worker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Publishes a worker's report to its ConfigMap (created by the operator, owned by the DataMigration):
 * the latest state at most every {@code period} (an unchanged one every {@link #HEARTBEAT}), from a thread of its own so the copy never waits for
 * the API server, and once more, synchronously, at the end. A report that cannot be written is
 * retried with the next one; after {@value #FAILURES_ALLOWED} failures in a row the worker gives up (the next
 * {@link #update} throws, naming the API call and its HTTP status): a worker the operator cannot see is not left
 * running for ever while its status stands still.
 */
public final class ReportPublisher implements AutoCloseable {
    /** Where reports go; the ConfigMap in the cluster, or anything a test wants. */
    public interface Sink {
        void write(String json);
    }

    private final Sink sink;
    private final Consumer<String> log;
    private final AtomicReference<WorkerReport> latest = new AtomicReference<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "keyferry-report");
        t.setDaemon(true);
        return t;
    });
    private String lastWritten;
    private long lastWrittenAt;
    /** An unchanged report is written again this often, so the operator tells a silent worker from a slow one. */
    public static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(30);
    static final int FAILURES_ALLOWED = 30;
    private int failures;
    private volatile String gaveUp;

    public ReportPublisher(Sink sink, long periodMillis, Consumer<String> log) {
        this.sink = sink;
        this.log = log;
        timer.scheduleWithFixedDelay(() -> {
            if (gaveUp == null) {
                publishLatest();
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** The ConfigMap {@code namespace/name}: its data key {@value WorkerReport#DATA_KEY}, by JSON merge patch. */
    public static Sink configMap(KubernetesClient client, String namespace, String name) {
        return json -> client.configMaps().inNamespace(namespace).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), io.fabric8.kubernetes.client.utils.Serialization
                        .asJson(Map.of("data", Map.of(WorkerReport.DATA_KEY, json))));
    }

    /** Records the state to publish with the next tick; throws once reporting has failed too often in a row. */
    public void update(WorkerReport report) {
        if (gaveUp != null) {
            throw new IllegalStateException(gaveUp);
        }
        latest.set(report.copy());
    }

    /** The last report handed to this publisher (a copy), or null before the first. */
    public WorkerReport latest() {
        return latest.get();
    }

    /** Publishes now and waits: the final state, or a stage change the operator should see at once. */
    public void publishNow(WorkerReport report) {
        latest.set(report.copy()); // tried even after reporting gave up: a worker's last word is worth one more try
        for (int attempt = 1; attempt <= (gaveUp == null ? 5 : 1); attempt++) {
            if (publishLatest()) {
                return;
            }
            sleep(attempt * 500L);
        }
    }

    private synchronized boolean publishLatest() {
        WorkerReport report = latest.get();
        if (report == null) {
            return true;
        }
        String json = report.toJson();
        if (json.equals(lastWritten) && System.nanoTime() - lastWrittenAt < HEARTBEAT.toNanos()) {
            return true;
        }
        WorkerReport stamped = report.copy();
        stamped.updatedAt = Instant.now().toString();
        try {
            sink.write(stamped.toJson());
            lastWritten = json;
            lastWrittenAt = System.nanoTime();
            failures = 0;
            return true;
        } catch (KubernetesClientException e) {
            return failed("the report's ConfigMap patch answered HTTP " + e.getCode() + " (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            return failed("the report's ConfigMap patch failed (" + e + ")");
        }
    }

    private boolean failed(String why) {
        failures++;
        if (failures < FAILURES_ALLOWED) {
            log.accept("cannot publish the report: " + why + "; will retry (" + failures + " of " + FAILURES_ALLOWED + ")");
            return false;
        }
        gaveUp = "cannot report to the operator: " + why + ", " + failures + " times in a row; check that the worker"
                + " reaches the API server and that its ServiceAccount may get and patch its ConfigMap";
        log.accept(gaveUp);
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
