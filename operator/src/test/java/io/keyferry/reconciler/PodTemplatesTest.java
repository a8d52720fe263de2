package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.WorkerPodTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Worker pods fit real clusters: the operator's --worker-pod-template, then a migration's spec.worker.podTemplate, are
 * merged onto the generated pod; KeyFerry's labels and the security context stay as they are.
 */
class PodTemplatesTest {

    @Test
    void theOperatorsTemplateThenTheMigrationsAreMergedAndTheSecurityContextStays() {
        WorkerPodTemplate cluster = Serialization.unmarshal("""
                {"nodeSelector": {"pool": "batch"}, "priorityClassName": "low",
                 "annotations": {"sidecar.istio.io/inject": "false"}, "imagePullSecrets": [{"name": "regcred"}]}
                """, WorkerPodTemplate.class);
        DataMigration dm = Serialization.unmarshal("""
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: m, namespace: ns, uid: u1}
                spec:
                  sources: [{name: a, endpoint: {uri: "redis://a:6379/0"}}]
                  target: {endpoint: {uri: "redis://t:6379/0"}}
                  worker:
                    podTemplate:
                      labels: {team: storage, app.kubernetes.io/managed-by: someone-else}
                      tolerations: [{key: dedicated, operator: Equal, value: migrations, effect: NoSchedule}]
                      serviceAccountName: migrations-sa
                      priorityClassName: high
                """, DataMigration.class);
        dm.setMetadata(new ObjectMetaBuilder(dm.getMetadata()).withGeneration(1L).build());
        WorkerJobs jobs = new WorkerJobs(new OperatorConfig(Set.of(), "keyferry:test", "keyferry-worker",
                Duration.ofMinutes(5), cluster));

        Job job = jobs.job(dm, dm.getSpec(), WorkerJobs.Stage.COPY, 0, 0, "abcd1234", 0, false, false);

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Map<String, String> labels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("storage", labels.get("team"));
        assertEquals(WorkerJobs.MANAGED_BY, labels.get(WorkerJobs.MANAGED_BY_LABEL), "KeyFerry's own labels win");
        assertEquals("false", job.getSpec().getTemplate().getMetadata().getAnnotations().get("sidecar.istio.io/inject"));
        assertEquals(Map.of("pool", "batch"), pod.getNodeSelector());
        assertEquals("dedicated", pod.getTolerations().get(0).getKey());
        assertEquals("high", pod.getPriorityClassName(), "the migration's over the operator's");
        assertEquals("regcred", pod.getImagePullSecrets().get(0).getName());
        assertEquals("migrations-sa", pod.getServiceAccountName());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(false, pod.getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(true, pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem());
    }
}
