package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyferry.api.DataMigration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events about a migration (`kubectl describe dm` and `kubectl get events` show them). */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    static final String COMPONENT = "keyferry-operator";
    /** Event names as kubectl's own: the object's name, a dot, a unique suffix. */
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private Events() {}

    /** Emits one Event; an Event that cannot be written is logged, never fails the reconcile. */
    static void emit(KubernetesClient client, DataMigration dm, Decider.Event e, Instant now) {
        String namespace = dm.getMetadata().getNamespace();
        String message = e.message().length() > 1000 ? e.message().substring(0, 1000) + "..." : e.message();
        LOG.info("{}/{}: {} {}: {}", namespace, dm.getMetadata().getName(), e.type(), e.reason(), message);
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(dm.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli() * 1000
                            + SEQUENCE.incrementAndGet() % 1000)).withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(DataMigration.API_VERSION)
                            .withKind(DataMigration.KIND).withName(dm.getMetadata().getName()).withNamespace(namespace)
                            .withUid(dm.getMetadata().getUid()).build())
                    .withType(e.type()).withReason(e.reason()).withMessage(message)
                    .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException ex) {
            LOG.warn("{}/{}: cannot record event {} ({} {})", namespace, dm.getMetadata().getName(), e.reason(), ex.getCode(),
                    ex.getMessage());
        }
    }
}
