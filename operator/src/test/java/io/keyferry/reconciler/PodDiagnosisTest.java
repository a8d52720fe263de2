package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.keyferry.worker.ReportPublisher;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each way a worker pod fails to run, as the API shows it, and what status then says. */
class PodDiagnosisTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final Job JOB = new JobBuilder().withNewMetadata().withName("m-copy-0-abc").withNamespace("ns")
            .withCreationTimestamp(NOW.minusSeconds(60).toString()).endMetadata()
            .withNewSpec().withNewTemplate().withNewSpec().withServiceAccountName("keyferry-worker").addNewContainer()
            .withName("worker").withImage("keyferry:1").withNewResources().addToLimits("memory", new Quantity("512Mi"))
            .endResources().endContainer().endSpec().endTemplate().endSpec().build();

    @Test
    void eachKindOfPodThatDoesNotRunIsNamedWithWhatToDo() {
        assertProblem("ImagePullBackOff", "cannot pull the image keyferry:1 (ImagePullBackOff: Back-off pulling image",
                pod().editStatus().addNewContainerStatus().withName("worker").withImage("keyferry:1").withNewState().withNewWaiting()
                        .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"keyferry:1\"").endWaiting().endState()
                        .endContainerStatus().endStatus().build());
        assertProblem("Unschedulable", "cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory",
                pod().editStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                        .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory").endCondition()
                        .endStatus().build());
        assertProblem("CreateContainerConfigError", "secret \"target-auth\" not found); create the Secret or ConfigMap",
                pod().editStatus().addNewContainerStatus().withName("worker").withNewState().withNewWaiting()
                        .withReason("CreateContainerConfigError").withMessage("secret \"target-auth\" not found").endWaiting()
                        .endState().endContainerStatus().endStatus().build());
        assertProblem("OOMKilled", "more memory than its limit (512Mi); raise spec.worker.resources.limits.memory",
                pod().editStatus().addNewContainerStatus().withName("worker").withNewState().withNewWaiting()
                        .withReason("CrashLoopBackOff").endWaiting().endState().withNewLastState().withNewTerminated()
                        .withReason("OOMKilled").withExitCode(137).endTerminated().endLastState().endContainerStatus()
                        .endStatus().build());
        assertProblem("SidecarRunning", "exited with code 0 but istio-proxy keeps the pod running",
                pod().editStatus().withPhase("Running").addNewContainerStatus().withName("worker").withNewState()
                        .withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().endState().endContainerStatus()
                        .addNewContainerStatus().withName("istio-proxy").withNewState().withNewRunning().endRunning().endState()
                        .endContainerStatus().endStatus().build());
    }

    @Test
    void aJobWithoutPodsHasItsServiceAccountCheckedAfterAGrace() {
        Job young = new JobBuilder(JOB).editMetadata().withCreationTimestamp(NOW.minusSeconds(5).toString()).endMetadata().build();
        assertEquals(Optional.empty(), PodDiagnosis.of(young, List.of(), null, a -> false, NOW), "the Job controller gets its time");
        WorkerProblem missing = PodDiagnosis.of(JOB, List.of(), null, a -> false, NOW).orElseThrow();
        assertEquals("ServiceAccountMissing", missing.reason());
        assertTrue(missing.message().startsWith("the ServiceAccount keyferry-worker does not exist in namespace ns"), missing.message());
        assertEquals("NoPod", PodDiagnosis.of(JOB, List.of(), null, a -> true, NOW).orElseThrow().reason());
    }

    /** A worker reports at least every heartbeat: three missed, and it is shown as silent; a fresh report clears it. */
    @Test
    void aRunningWorkerWithoutAReportForThreeHeartbeatsIsSilent() {
        Pod running = pod().editStatus().withPhase("Running").addNewContainerStatus().withName("worker").withNewState().withNewRunning()
                .withStartedAt(NOW.minus(Duration.ofMinutes(5)).toString()).endRunning().endState().endContainerStatus().endStatus().build();
        WorkerReport report = new WorkerReport();
        report.updatedAt = NOW.minus(ReportPublisher.HEARTBEAT.multipliedBy(3)).minusSeconds(1).toString();
        WorkerProblem silent = PodDiagnosis.of(JOB, List.of(running), report, a -> true, NOW).orElseThrow();
        assertEquals("NoReport", silent.reason());
        assertTrue(silent.message().startsWith("no report from the worker for 91 s (pod m-copy-0-abc-x is Running)"), silent.message());
        assertEquals("NoReport", PodDiagnosis.of(JOB, List.of(running), null, a -> true, NOW).orElseThrow().reason(), "never reported");
        report.updatedAt = NOW.minus(ReportPublisher.HEARTBEAT).toString();
        assertEquals(Optional.empty(), PodDiagnosis.of(JOB, List.of(running), report, a -> true, NOW));
    }

    /** A pod that never runs is in status within 30 s: the reconciler looks again this often while a worker runs. */
    @Test
    void aPodThatNeverRunsIsDiagnosedWithinThirtySeconds() {
        assertTrue(Decider.WATCH_WORKERS.plus(PodDiagnosis.NO_POD).compareTo(Duration.ofSeconds(30)) <= 0);
    }

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("m-copy-0-abc-x").withNamespace("ns")
                .withCreationTimestamp(NOW.minusSeconds(30).toString()).endMetadata()
                .withSpec(JOB.getSpec().getTemplate().getSpec()).withNewStatus().withPhase("Pending").endStatus();
    }

    private static void assertProblem(String reason, String excerpt, Pod pod) {
        WorkerProblem p = PodDiagnosis.of(JOB, List.of(pod), null, a -> true, NOW).orElseThrow(() -> new AssertionError(reason));
        assertEquals(reason, p.reason(), p.message());
        assertEquals("m-copy-0-abc", p.jobName());
        assertTrue(p.message().contains(excerpt), p.message());
    }
}
