package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.keyferry.worker.ReportPublisher;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What keeps a running worker Job from getting on, read from its pods as `kubectl describe pod` would show it, with
 * what to do: an image that cannot be pulled, a pod no node takes, a Secret or ConfigMap the container needs that is
 * missing, a ServiceAccount that does not exist (the Job controller then creates no pod at all), a worker killed for
 * its memory, a sidecar that keeps the pod running after the worker exited, and a worker that runs but has not
 * reported for {@link #SILENCE}.
 */
final class PodDiagnosis {
    /** A Job with no pod for this long has its ServiceAccount checked. */
    static final Duration NO_POD = Duration.ofSeconds(10);
    /** A running worker that has not reported for this long (three of its heartbeats) is shown as silent. */
    static final Duration SILENCE = ReportPublisher.HEARTBEAT.multipliedBy(3);
    private static final Set<String> PULL = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
    private static final Set<String> CONFIG = Set.of("CreateContainerConfigError", "CreateContainerError");

    private PodDiagnosis() {}

    /**
     * @param pods                 the Job's pods
     * @param serviceAccountExists asked only for a Job that has had no pod for {@link #NO_POD}
     */
    static Optional<WorkerProblem> of(Job job, List<Pod> pods, WorkerReport report, Predicate<String> serviceAccountExists,
                                      Instant now) {
        String name = job.getMetadata().getName();
        if (pods.isEmpty()) {
            Instant created = time(job.getMetadata().getCreationTimestamp());
            if (created == null || Duration.between(created, now).compareTo(NO_POD) < 0) {
                return Optional.empty();
            }
            String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();
            account = account == null || account.isBlank() ? "default" : account;
            if (!serviceAccountExists.test(account)) {
                return problem(name, "ServiceAccountMissing", "the ServiceAccount " + account + " does not exist in namespace "
                        + job.getMetadata().getNamespace() + ", so the Job controller creates no worker pod; create it (the"
                        + " chart's worker.serviceAccount), or set spec.worker.podTemplate.serviceAccountName to one that exists");
            }
            return problem(name, "NoPod", "the Job has created no pod for " + Duration.between(created, now).toSeconds()
                    + " s; `kubectl describe job " + name + "` shows why (a ResourceQuota, a LimitRange or an admission webhook)");
        }
        Pod pod = pods.stream().max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))).orElseThrow();
        return ofPod(name, pod, report, now);
    }

    private static Optional<WorkerProblem> ofPod(String job, Pod pod, WorkerReport report, Instant now) {
        String podName = pod.getMetadata().getName();
        List<ContainerStatus> containers = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
                : pod.getStatus().getContainerStatuses();
        ContainerStatus worker = containers.stream().filter(c -> WorkerJobs.CONTAINER.equals(c.getName())).findFirst().orElse(null);
        PodCondition scheduled = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
        if (scheduled != null && "False".equals(scheduled.getStatus()) && "Unschedulable".equals(scheduled.getReason())) {
            return problem(job, "Unschedulable", "pod " + podName + " cannot be scheduled: " + scheduled.getMessage()
                    + "; check spec.worker.podTemplate (nodeSelector, tolerations, affinity) and spec.worker.resources");
        }
        if (worker == null) {
            return Optional.empty();
        }
        ContainerState state = worker.getState();
        if (state != null && state.getWaiting() != null && PULL.contains(state.getWaiting().getReason())) {
            return problem(job, "ImagePullBackOff", "pod " + podName + " cannot pull the image " + worker.getImage() + " ("
                    + state.getWaiting().getReason() + message(state.getWaiting().getMessage()) + "); check the operator's"
                    + " --worker-image (the chart's worker.image) and spec.worker.podTemplate.imagePullSecrets");
        }
        if (state != null && state.getWaiting() != null && CONFIG.contains(state.getWaiting().getReason())) {
            return problem(job, "CreateContainerConfigError", "pod " + podName + " cannot start its container ("
                    + state.getWaiting().getReason() + message(state.getWaiting().getMessage()) + "); create the Secret or"
                    + " ConfigMap it names, in namespace " + pod.getMetadata().getNamespace());
        }
        if (oomKilled(worker.getState()) || oomKilled(worker.getLastState())) {
            return problem(job, "OOMKilled", "the worker in pod " + podName + " was killed for using more memory than its"
                    + " limit" + limit(pod) + "; raise spec.worker.resources.limits.memory, or lower the copy's batch size");
        }
        List<String> others = containers.stream().filter(c -> !WorkerJobs.CONTAINER.equals(c.getName()))
                .filter(c -> c.getState() != null && c.getState().getRunning() != null).map(ContainerStatus::getName).toList();
        if (state != null && state.getTerminated() != null && !others.isEmpty()) {
            return problem(job, "SidecarRunning", "the worker in pod " + podName + " exited with code "
                    + state.getTerminated().getExitCode() + " but " + String.join(", ", others) + " keeps the pod running, so"
                    + " the Job never finishes; run the sidecar as a native sidecar (an init container with restartPolicy"
                    + " Always) or keep it out of worker pods: see \"Service meshes\" in docs/operations.md");
        }
        if (state != null && state.getRunning() != null) {
            Instant since = latest(time(state.getRunning().getStartedAt()), report == null ? null : time(report.updatedAt));
            if (since != null && Duration.between(since, now).compareTo(SILENCE) > 0) {
                return problem(job, "NoReport", "no report from the worker for " + Duration.between(since, now).toSeconds()
                        + " s (pod " + podName + " is Running): it cannot reach the API server, or may not patch its report"
                        + " ConfigMap; `kubectl logs " + podName + "` says which");
            }
        }
        return Optional.empty();
    }

    private static boolean oomKilled(ContainerState s) {
        return s != null && s.getTerminated() != null && "OOMKilled".equals(s.getTerminated().getReason());
    }

    private static String limit(Pod pod) {
        return pod.getSpec() == null ? "" : pod.getSpec().getContainers().stream()
                .filter(c -> WorkerJobs.CONTAINER.equals(c.getName()) && c.getResources() != null
                        && c.getResources().getLimits() != null && c.getResources().getLimits().get("memory") != null)
                .map(c -> " (" + c.getResources().getLimits().get("memory") + ")").findFirst().orElse("");
    }

    private static String message(String m) {
        return m == null || m.isBlank() ? "" : ": " + m;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static Instant time(String t) {
        try {
            return t == null ? null : Instant.parse(t);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<WorkerProblem> problem(String job, String reason, String message) {
        return Optional.of(new WorkerProblem(job, reason, message));
    }
}
