package io.keyferry.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.time.Duration;

/**
 * The JOSDK operator with KeyFerry's one controller, configured the same way in production and in tests:
 * no server-side apply anywhere (status is written by update with optimistic locking), startup fails when
 * the CRD is missing or the service account may not list what it watches.
 */
public final class KeyFerryOperator implements AutoCloseable {
    private final Operator operator;
    private final DataMigrationReconciler reconciler;
    private final OperatorMetrics metrics;
    private volatile boolean started;

    /**
     * @param leaderElection null to run without (a single replica, or tests)
     */
    public KeyFerryOperator(KubernetesClient client, OperatorConfig config, LeaderElectionConfiguration leaderElection, Clock clock) {
        this.metrics = new OperatorMetrics();
        this.reconciler = new DataMigrationReconciler(config, metrics, clock);
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofMinutes(2))
                    .withMetrics(metrics);
            if (leaderElection != null) {
                o.withLeaderElectionConfiguration(leaderElection);
            }
        });
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

    @Override
    public void close() {
        started = false;
        operator.stop();
        reconciler.close();
    }
}
