package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.keyferry.api.WorkerPodTemplate;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link WorkerPodTemplate} merged onto a generated worker pod: the operator's defaults first, then a migration's own.
 * KeyFerry's labels win (they tie the pod to its Job and migration); the security context is never touched.
 */
final class PodTemplates {
    private PodTemplates() {}

    static void merge(PodTemplateSpec pod, WorkerPodTemplate t) {
        if (t == null) {
            return;
        }
        Map<String, String> labels = new HashMap<>(t.getLabels() == null ? Map.of() : t.getLabels());
        labels.putAll(pod.getMetadata().getLabels());
        pod.getMetadata().setLabels(labels);
        if (t.getAnnotations() != null) {
            Map<String, String> annotations = new HashMap<>(pod.getMetadata().getAnnotations() == null ? Map.of()
                    : pod.getMetadata().getAnnotations());
            annotations.putAll(t.getAnnotations());
            pod.getMetadata().setAnnotations(annotations);
        }
        PodSpec spec = pod.getSpec();
        if (t.getNodeSelector() != null) {
            spec.setNodeSelector(t.getNodeSelector());
        }
        if (t.getTolerations() != null) {
            spec.setTolerations(t.getTolerations());
        }
        if (t.getAffinity() != null) {
            spec.setAffinity(t.getAffinity());
        }
        if (t.getPriorityClassName() != null) {
            spec.setPriorityClassName(t.getPriorityClassName());
        }
        if (t.getImagePullSecrets() != null) {
            spec.setImagePullSecrets(t.getImagePullSecrets());
        }
        if (t.getServiceAccountName() != null) {
            spec.setServiceAccountName(t.getServiceAccountName());
        }
    }
}
