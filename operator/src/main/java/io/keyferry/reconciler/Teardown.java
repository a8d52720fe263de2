package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.keyferry.api.CleanupPolicy;
import io.keyferry.api.DataMigration;
import io.keyferry.api.SecretKeyRef;
import io.keyferry.engine.StateCleanup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a DataMigration is deleted (its finalizer). With {@code spec.cleanup: Delete}: the workers are
 * stopped first (their Jobs deleted, and waited for, so that none writes a checkpoint after the clean-up), then every
 * key of KeyFerry's for this migration is removed from the target and from spec.undo.store ({@link StateCleanup}),
 * then the report ConfigMaps;
 * only then does the resource go. A target that cannot be reached holds the deletion, retried every 10 s with a
 * Warning Event whenever the reason changes, until it can be reached or the resource carries
 * {@code keyferry.io/skip-cleanup: "true"}. With {@code Keep} (the default) the resource goes at once, and the
 * Jobs and ConfigMaps it owns are garbage-collected by Kubernetes.
 */
final class Teardown {
    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);
    static final String SKIP_ANNOTATION = "keyferry.io/skip-cleanup";
    /**
     * Between attempts while the target cannot be reached. Also how soon the skip annotation is seen: JOSDK passes on
     * no update of a resource being deleted that leaves its generation as it was, so the next attempt reads it.
     */
    static final Duration RETRY = Duration.ofSeconds(10);
    private static final Duration WORKERS_STOPPING = Duration.ofSeconds(2);

    /** The last failure told per migration, so that a retry that fails the same way adds no Event. */
    private final Map<String, String> told = new ConcurrentHashMap<>();

    DeleteControl run(KubernetesClient client, DataMigration dm, Instant now) {
        String uid = dm.getMetadata().getUid();
        if (dm.getSpec() == null || dm.getSpec().getCleanup() != CleanupPolicy.DELETE || dm.getSpec().getTarget() == null
                || dm.getSpec().getTarget().getEndpoint() == null) {
            told.remove(uid);
            return DeleteControl.defaultDelete();
        }
        String pattern = StateCleanup.pattern(uid);
        Map<String, String> annotations = dm.getMetadata().getAnnotations();
        if (annotations != null && "true".equals(annotations.get(SKIP_ANNOTATION))) {
            told.remove(uid);
            emit(client, dm, now, Decider.Event.warning("CleanupSkipped", "deleted without clean-up (" + SKIP_ANNOTATION
                    + "): KeyFerry's keys, if any, stay in the target; SCAN MATCH " + pattern + " finds them"));
            return DeleteControl.defaultDelete();
        }
        if (!workersStopped(client, dm)) {
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(WORKERS_STOPPING);
        }
        List<String> gone = missingTargetSecrets(client, dm);
        if (!gone.isEmpty()) {
            // Nothing can log in any more (a namespace being deleted takes its Secrets first, say): holding the deletion
            // would hold the namespace too, for keys nobody can remove from here.
            LOG.warn("{}/{}: clean-up abandoned, the target's credentials are gone ({}); the keys matching {} stay in {}",
                    dm.getMetadata().getNamespace(), dm.getMetadata().getName(), gone, pattern, target(dm));
            emit(client, dm, now, Decider.Event.warning("CleanupAbandoned", "cannot log in to the target to remove"
                    + " KeyFerry's keys: " + String.join("; ", gone) + "; they stay in " + target(dm) + " (SCAN MATCH "
                    + pattern + " finds them)"));
            told.remove(uid);
            return DeleteControl.defaultDelete();
        }
        long removed;
        try {
            KubernetesSecretResolver secrets = new KubernetesSecretResolver(client, dm.getMetadata().getNamespace());
            removed = StateCleanup.removeAll(dm.getSpec().getTarget().getEndpoint(), secrets, uid);
            io.keyferry.api.UndoSpec undo = dm.getSpec().getUndo();
            if (undo != null && undo.getStore() != null) { // the journal kept apart from the target
                removed += StateCleanup.removeAll(undo.getStore(), secrets, uid);
            }
        } catch (RuntimeException e) {
            String message = "cannot remove KeyFerry's keys from the target: " + e.getMessage() + "; the deletion waits and"
                    + " tries again every " + RETRY.toSeconds() + " s. If the target is gone for good, annotate the"
                    + " DataMigration " + SKIP_ANNOTATION + "=true to delete it without clean-up";
            if (!message.equals(told.put(uid, message))) {
                emit(client, dm, now, Decider.Event.warning("CleanupFailed", message));
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY);
        }
        told.remove(uid);
        int reports = deleteReports(client, dm);
        emit(client, dm, now, Decider.Event.normal("CleanedUp", "removed " + removed + " keys of KeyFerry's from "
                + target(dm) + " and " + reports + " report ConfigMaps"));
        return DeleteControl.defaultDelete();
    }

    /** Deletes the migration's Jobs (their pods first) and tells whether none is left. */
    private static boolean workersStopped(KubernetesClient client, DataMigration dm) {
        List<Job> jobs = client.batch().v1().jobs().inNamespace(dm.getMetadata().getNamespace())
                .withLabel(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid()).list().getItems();
        for (Job job : jobs) {
            if (job.getMetadata().getDeletionTimestamp() == null) {
                client.batch().v1().jobs().inNamespace(dm.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                        .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
            }
        }
        return jobs.isEmpty();
    }

    private static int deleteReports(KubernetesClient client, DataMigration dm) {
        String namespace = dm.getMetadata().getNamespace();
        List<String> names = client.configMaps().inNamespace(namespace).withLabel(WorkerJobs.MIGRATION_LABEL,
                dm.getMetadata().getUid()).list().getItems().stream().map(c -> c.getMetadata().getName()).toList();
        names.forEach(n -> client.configMaps().inNamespace(namespace).withName(n).delete()); // list and delete are granted
        return names.size();
    }

    /** The target's (and the undo store's) Secrets that cannot be read, each as "path: what is wrong". */
    private static List<String> missingTargetSecrets(KubernetesClient client, DataMigration dm) {
        Map<String, SecretKeyRef> refs = new java.util.LinkedHashMap<>(WorkerJobs.secretRefs(dm.getSpec()));
        refs.keySet().removeIf(path -> !path.startsWith("spec.target.") && !path.startsWith("spec.undo."));
        return List.copyOf(new KubernetesSecretResolver(client, dm.getMetadata().getNamespace()).problems(refs).values());
    }

    private static String target(DataMigration dm) {
        return "the target (" + dm.getSpec().getTarget().getEndpoint().getUri() + ")";
    }

    private static void emit(KubernetesClient client, DataMigration dm, Instant now, Decider.Event event) {
        Events.emit(client, dm, event, now);
    }
}
