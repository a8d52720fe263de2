package io.keyferry.reconciler;

import java.time.Duration;
import java.util.Set;

/**
 * How the operator runs, from its command line (the Helm chart sets these).
 *
 * @param namespaces           namespaces to watch; empty for all
 * @param workerImage          image of worker pods unless spec.worker.image says otherwise
 * @param workerServiceAccount service account of worker pods (it needs get/patch on ConfigMaps only)
 * @param resync               a migration is looked at again after this long even without events
 *                             (so a routing flag changed by hand is noticed)
 * @param workerPods           what every worker pod gets (the chart's worker.podTemplate), under a migration's own
 *                             spec.worker.podTemplate; null for nothing
 */
public record OperatorConfig(Set<String> namespaces, String workerImage, String workerServiceAccount, Duration resync,
                             io.keyferry.api.WorkerPodTemplate workerPods) {
    public OperatorConfig(Set<String> namespaces, String workerImage, String workerServiceAccount, Duration resync) {
        this(namespaces, workerImage, workerServiceAccount, resync, null);
    }

    public static final String DEFAULT_WORKER_SERVICE_ACCOUNT = "keyferry-worker";

    public OperatorConfig {
        namespaces = Set.copyOf(namespaces);
        if (workerImage == null || workerImage.isBlank()) {
            throw new IllegalArgumentException("--worker-image is required (the operator's own image)");
        }
    }
}
