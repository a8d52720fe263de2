package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.keyferry.worker.WorkerReport;
import java.time.Instant;
import java.util.Map;

/**
 * One worker Job as the reconciler sees it: which stage, source and attempt it runs, whether it is
 * still running, and the last report its worker published.
 *
 * @param source    the index in spec.sources of a copy; -1 for a verification
 * @param shard     the part of the source a copy takes (spec.worker.parallelism), 0 when there is one
 * @param run       the number of a verification within its attempt (1, 2, ...); 0 for a copy
 * @param failure   why the Job failed (its Failed condition), or null
 * @param finished  when it completed or failed, or null while it runs
 * @param report    the worker's last report, or null before its first
 * @param deleting  the Job is being deleted (a previous attempt's, stopped)
 * @param podFailures the Job's failed pods (status.failed): each but a final failure was replaced by a new pod
 */
public record WorkerRun(String jobName, WorkerJobs.Stage stage, int source, int shard, String attempt, int run, State state,
                        String failure, Instant finished, WorkerReport report, boolean deleting, int podFailures) {
    public WorkerRun(String jobName, WorkerJobs.Stage stage, int source, int shard, String attempt, int run, State state,
                     String failure, Instant finished, WorkerReport report, boolean deleting) {
        this(jobName, stage, source, shard, attempt, run, state, failure, finished, report, deleting, 0);
    }

    public WorkerRun(String jobName, WorkerJobs.Stage stage, int source, String attempt, int run, State state,
                     String failure, Instant finished, WorkerReport report) {
        this(jobName, stage, source, 0, attempt, run, state, failure, finished, report, false);
    }

    public enum State { ACTIVE, SUCCEEDED, FAILED }

    /** Reads a Job the operator created (its labels say what it runs) and its report ConfigMap, if any. */
    static WorkerRun of(Job job, ConfigMap reportMap) {
        Map<String, String> labels = job.getMetadata().getLabels();
        WorkerJobs.Stage stage = WorkerJobs.Stage.fromLabel(labels.get(WorkerJobs.STAGE_LABEL));
        int source = Integer.parseInt(labels.getOrDefault(WorkerJobs.SOURCE_LABEL, "-1"));
        int run = Integer.parseInt(labels.getOrDefault(WorkerJobs.RUN_LABEL, "0"));
        int shard = Integer.parseInt(labels.getOrDefault(WorkerJobs.SHARD_LABEL, "0"));
        State state = State.ACTIVE;
        String failure = null;
        Instant finished = null;
        if (job.getStatus() != null && job.getStatus().getConditions() != null) {
            for (JobCondition c : job.getStatus().getConditions()) {
                if (!"True".equals(c.getStatus())) {
                    continue;
                }
                if ("Complete".equals(c.getType())) {
                    state = State.SUCCEEDED;
                    finished = time(c.getLastTransitionTime());
                } else if ("Failed".equals(c.getType())) {
                    state = State.FAILED;
                    failure = (c.getReason() == null ? "" : c.getReason() + ": ") + (c.getMessage() == null ? "" : c.getMessage());
                    finished = time(c.getLastTransitionTime());
                }
            }
        }
        WorkerReport report = reportMap == null || reportMap.getData() == null ? null
                : WorkerReport.parse(reportMap.getData().get(WorkerReport.DATA_KEY));
        return new WorkerRun(job.getMetadata().getName(), stage, source, shard, labels.get(WorkerJobs.ATTEMPT_LABEL), run,
                state, failure, finished, report, job.getMetadata().getDeletionTimestamp() != null,
                job.getStatus() == null || job.getStatus().getFailed() == null ? 0 : job.getStatus().getFailed());
    }

    private static Instant time(String t) {
        try {
            return t == null ? Instant.EPOCH : Instant.parse(t);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** The error to show for a failed run: the worker's own words first. */
    String lastError() {
        if (report != null && report.error != null && !report.error.isBlank()) {
            return report.error;
        }
        return failure;
    }

    /**
     * The shards of one source's copy as one run: failed if one failed, done when all are, running otherwise;
     * the reports summed. Null when no shard has started.
     */
    static WorkerRun ofShards(WorkerRun[] shards) {
        java.util.List<WorkerRun> started = java.util.Arrays.stream(shards).filter(java.util.Objects::nonNull).toList();
        if (started.isEmpty()) {
            return null;
        }
        if (shards.length == 1) {
            return started.get(0);
        }
        WorkerRun failed = started.stream().filter(r -> r.state() == State.FAILED).findFirst().orElse(null);
        boolean done = started.size() == shards.length && started.stream().allMatch(r -> r.state() == State.SUCCEEDED);
        State state = failed != null ? State.FAILED : done ? State.SUCCEEDED : State.ACTIVE;
        WorkerReport sum = new WorkerReport();
        sum.stage = WorkerReport.PROBING;
        StringBuilder cursors = new StringBuilder();
        double weighted = 0;
        for (WorkerRun r : started) {
            WorkerReport rep = r.report();
            if (rep == null) {
                continue;
            }
            if (WorkerReport.COPYING.equals(rep.stage) || WorkerReport.COPIED.equals(rep.stage)) {
                sum.stage = WorkerReport.COPYING;
            }
            sum.keysScanned += rep.keysScanned;
            sum.estimatedKeys += rep.estimatedKeys;
            sum.keysWritten += rep.keysWritten;
            sum.keysSkipped += rep.keysSkipped;
            sum.keysMerged += rep.keysMerged;
            sum.keysFailed += rep.keysFailed;
            sum.bytesWritten += rep.bytesWritten;
            sum.keysPerSecond += rep.keysPerSecond;
            sum.resumedAfterKeys += rep.resumedAfterKeys;
            sum.etaSeconds = Math.max(sum.etaSeconds, rep.etaSeconds);
            weighted += r.state() == State.SUCCEEDED ? 100.0 : rep.percent;
            if (rep.error != null && sum.error == null) {
                sum.error = "shard " + r.shard() + ": " + rep.error;
            }
            if (rep.checkpoint != null) {
                cursors.append(cursors.length() == 0 ? "" : "; ").append(r.shard()).append('/').append(shards.length)
                        .append(' ').append(rep.checkpoint);
            }
        }
        sum.percent = Math.round(weighted / shards.length * 10) / 10.0;
        sum.checkpoint = cursors.length() == 0 ? null : cursors.toString();
        Instant finished = done ? started.stream().map(WorkerRun::finished).max(Instant::compareTo).orElse(null) : null;
        String failure = failed == null ? null : "shard " + failed.shard() + ": " + failed.failure();
        if (failed != null && failed.report() != null && failed.report().error != null) {
            sum.error = "shard " + failed.shard() + ": " + failed.report().error;
        }
        WorkerRun first = started.get(0);
        return new WorkerRun(first.jobName(), first.stage(), first.source(), 0, first.attempt(), 0, state, failure, finished, sum,
                false, started.stream().mapToInt(WorkerRun::podFailures).sum());
    }
}
