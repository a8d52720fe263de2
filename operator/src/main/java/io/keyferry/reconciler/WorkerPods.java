package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyferry.api.DataMigration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads the pods of a migration's unfinished or failed worker Jobs and diagnoses each Job ({@link PodDiagnosis}). */
final class WorkerPods {
    private WorkerPods() {}

    static List<WorkerProblem> problems(KubernetesClient client, DataMigration dm, List<Job> jobs, List<WorkerRun> runs,
                                        Instant now) {
        Map<String, WorkerRun> byName = runs.stream().collect(Collectors.toMap(WorkerRun::jobName, r -> r, (a, b) -> a));
        List<Job> watched = jobs.stream().filter(j -> {
            WorkerRun r = byName.get(j.getMetadata().getName());
            return r != null && !r.deleting() && r.state() != WorkerRun.State.SUCCEEDED;
        }).toList();
        if (watched.isEmpty()) {
            return List.of();
        }
        String namespace = dm.getMetadata().getNamespace();
        List<Pod> pods = client.pods().inNamespace(namespace)
                .withLabel(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid()).list().getItems();
        List<WorkerProblem> problems = new ArrayList<>();
        for (Job job : watched) {
            String name = job.getMetadata().getName();
            List<Pod> own = pods.stream().filter(p -> ownedBy(p, name)).toList();
            PodDiagnosis.of(job, own, byName.get(name).report(),
                    account -> client.serviceAccounts().inNamespace(namespace).withName(account).get() != null, now)
                    .ifPresent(problems::add);
        }
        return problems;
    }

    private static boolean ownedBy(Pod pod, String job) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners != null && owners.stream().anyMatch(o -> "Job".equals(o.getKind()) && job.equals(o.getName()))) {
            return true;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels != null && (job.equals(labels.get("batch.kubernetes.io/job-name")) || job.equals(labels.get("job-name")));
    }
}
