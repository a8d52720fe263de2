package io.keyferry.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JOSDK operator with KeyFerry's one controller, configured the same way in production and in tests:
 * no server-side apply anywhere (status is written by update with optimistic locking), startup fails when
 * the CRD is missing or the service account may not list what it watches. With leader election, losing the
 * Lease stops it ({@link Leadership}).
 */
public final class KeyFerryOperator implements AutoCloseable {
    private final Operator operator;
    private final DataMigrationReconciler reconciler;
    private final OperatorMetrics metrics;
    private final Leadership leadership;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean started;

    /**
     * @param client     with {@code leadership} installed ({@link Leadership#install}), when there is one
     * @param leadership null to run without leader election (a single replica, or tests)
     */
    public KeyFerryOperator(KubernetesClient client, OperatorConfig config, Leadership leadership, Clock clock) {
        java.util.function.BooleanSupplier leading = leadership == null ? () -> true : leadership::held;
        this.metrics = new OperatorMetrics(leading);
        this.reconciler = new DataMigrationReconciler(config, metrics, clock, leading);
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofMinutes(2))
                    .withMetrics(metrics);
            if (leadership != null) {
                o.withLeaderElectionConfiguration(leadership.configuration());
            }
        });
        this.leadership = leadership;
        if (leadership != null) {
            // Not on the elector's thread: stopping waits for JOSDK's executors, which run the elector.
            leadership.lost().thenRunAsync(this::stop);
        }
        operator.register(reconciler, c -> {
            c.withName("datamigration");
            if (config.namespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(config.namespaces());
            }
            c.withReconciliationMaxInterval(config.resync());
        });
    }

    /** Starts the informers and waits for their caches; throws when the API server refuses what they need. */
    public void start() {
        operator.start();
        started = true;
    }

    public boolean started() {
        return started;
    }

    public OperatorMetrics metrics() {
        return metrics;
    }

    private void stop() {
        started = false;
        if (stopped.compareAndSet(false, true)) {
            operator.stop();
        }
    }

    @Override
    public void close() {
        if (leadership != null) {
            leadership.stepDown();
        }
        stop();
        reconciler.close();
    }
}
