package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * What a cluster asks of worker pods, merged onto the pod KeyFerry generates: where they may run and under which
 * account, and the labels and annotations other tools read (a service mesh's among them). Nothing here can weaken
 * the pod's security context: it is not a field of this.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class WorkerPodTemplate {
    @JsonPropertyDescription("Labels added to worker pods (KeyFerry's own labels win on the same key).")
    private Map<String, String> labels;
    @JsonPropertyDescription("Annotations of worker pods, e.g. sidecar.istio.io/inject: false (see docs/operations.md).")
    private Map<String, String> annotations;
    @JsonPropertyDescription("Node labels worker pods must run on.")
    private Map<String, String> nodeSelector;
    @JsonPropertyDescription("Taints worker pods tolerate.")
    private List<Toleration> tolerations;
    @JsonPropertyDescription("Node and pod affinity of worker pods.")
    private Affinity affinity;
    @JsonPropertyDescription("PriorityClass of worker pods.")
    private String priorityClassName;
    @JsonPropertyDescription("Secrets to pull the worker image with.")
    private List<LocalObjectReference> imagePullSecrets;
    @JsonPropertyDescription("ServiceAccount of worker pods, instead of the operator's --worker-service-account; it needs"
            + " get and patch on ConfigMaps in the migration's namespace.")
    private String serviceAccountName;

    public Map<String, String> getLabels() { return labels; }
    public void setLabels(Map<String, String> labels) { this.labels = labels; }
    public Map<String, String> getAnnotations() { return annotations; }
    public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }
    public Map<String, String> getNodeSelector() { return nodeSelector; }
    public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
    public List<Toleration> getTolerations() { return tolerations; }
    public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
    public Affinity getAffinity() { return affinity; }
    public void setAffinity(Affinity affinity) { this.affinity = affinity; }
    public String getPriorityClassName() { return priorityClassName; }
    public void setPriorityClassName(String priorityClassName) { this.priorityClassName = priorityClassName; }
    public List<LocalObjectReference> getImagePullSecrets() { return imagePullSecrets; }
    public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) { this.imagePullSecrets = imagePullSecrets; }
    public String getServiceAccountName() { return serviceAccountName; }
    public void setServiceAccountName(String serviceAccountName) { this.serviceAccountName = serviceAccountName; }
}
