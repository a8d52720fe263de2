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
 * the latest state at most every {@code period}, from a thread of its own so the copy never waits for
 * the API server, and once more, synchronously, at the end. A report that cannot be written is
 * retried with the next one; reporting never fails the copy.
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

    public ReportPublisher(Sink sink, long periodMillis, Consumer<String> log) {
        this.sink = sink;
        this.log = log;
        timer.scheduleWithFixedDelay(this::publishLatest, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** The ConfigMap {@code namespace/name}: its data key {@value WorkerReport#DATA_KEY}, by JSON merge patch. */
    public static Sink configMap(KubernetesClient client, String namespace, String name) {
        return json -> client.configMaps().inNamespace(namespace).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), io.fabric8.kubernetes.client.utils.Serialization
                        .asJson(Map.of("data", Map.of(WorkerReport.DATA_KEY, json))));
    }

    /** Records the state to publish with the next tick. */
    public void update(WorkerReport report) {
        latest.set(report.copy());
    }

    /** Publishes now and waits: the final state, or a stage change the operator should see at once. */
    public void publishNow(WorkerReport report) {
        update(report);
        for (int attempt = 1; attempt <= 5; attempt++) {
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
        if (json.equals(lastWritten)) {
            return true;
        }
        WorkerReport stamped = report.copy();
        stamped.updatedAt = Instant.now().toString();
        try {
            sink.write(stamped.toJson());
            lastWritten = json;
            return true;
        } catch (KubernetesClientException e) {
            log.accept("cannot publish the report (" + e.getCode() + " " + e.getMessage() + "); will retry");
            return false;
        } catch (RuntimeException e) {
            log.accept("cannot publish the report (" + e + "); will retry");
            return false;
        }
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
