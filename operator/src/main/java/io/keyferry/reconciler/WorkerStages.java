package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Stage;
import io.keyferry.api.VerifyMode;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The workers' part of a decision: the sources' copies in list order (every shard of a source at once), then
 * verification, and re-verification while dual-writing until a round is within maxMismatches. Jobs are created
 * only where {@code jobsAllowed}; a worker pod that does not get on is named with what keeps it.
 *
 * @param stage    the migration's stage
 * @param failure  why it failed (stage Failed), or null
 * @param clean    the last finished verification is within the allowed differences
 * @param creates  the Jobs to create
 * @param requeue  when to look again without an event (the next re-verification), or null
 * @param problem  what keeps a running worker from getting on, or null
 */
record WorkerStages(Stage stage, String failure, boolean clean, List<Decider.Create> creates, Duration requeue,
                    WorkerProblem problem) {

    static WorkerStages decide(Snapshot o, WorkerRuns runs, boolean jobsAllowed, Instant now) {
        DataMigrationSpec spec = o.dm().getSpec();
        DataMigrationSpec effective = Decider.effective(spec);
        boolean cutover = spec.getCutover() != null;
        List<Decider.Create> creates = new ArrayList<>();
        int shards = WorkerJobs.shards(effective);
        for (int i = 0; i < runs.copies().length; i++) {
            WorkerRun r = runs.copies()[i];
            if (jobsAllowed && (r == null || r.state() == WorkerRun.State.ACTIVE)) {
                for (int k = 0; k < shards; k++) { // every shard at once: they copy disjoint parts in parallel
                    if (runs.shardRuns()[i][k] == null) {
                        creates.add(new Decider.Create(WorkerJobs.Stage.COPY, i, k, 0, runs.attempt(), effective, false, cutover));
                    }
                }
            }
            WorkerProblem problem = problemOf(o, runs.jobsOf(i));
            if (r == null) {
                return new WorkerStages(jobsAllowed ? Stage.PROBING : Stage.PENDING, null, false, creates, null, null);
            } else if (r.state() == WorkerRun.State.ACTIVE) {
                boolean copying = r.report() != null && WorkerReport.COPYING.equals(r.report().stage);
                return new WorkerStages(copying ? Stage.COPYING : Stage.PROBING, null, false, creates, null, problem);
            } else if (r.state() == WorkerRun.State.FAILED) {
                return failed("copying source " + spec.getSources().get(i).getName() + " failed: " + r.lastError(), problem);
            }
        }
        if (spec.getVerify().getMode() == VerifyMode.OFF) {
            return new WorkerStages(Stage.COPYING, null, false, creates, null, null);
        }
        return verification(o, runs, jobsAllowed, now);
    }

    private static WorkerStages verification(Snapshot o, WorkerRuns runs, boolean jobsAllowed, Instant now) {
        DataMigrationSpec spec = o.dm().getSpec();
        boolean cutover = spec.getCutover() != null;
        WorkerRun last = runs.lastVerify();
        if (last == null && spec.getSync() != null && spec.getSync().continuous()
                && !runs.allFollowing(spec.getSources().size())) { // what changed while copying is applied first
            return new WorkerStages(Stage.VERIFYING, null, false, List.of(), null, null);
        }
        if (last == null) {
            List<Decider.Create> creates = jobsAllowed ? List.of(new Decider.Create(WorkerJobs.Stage.VERIFY, -1, 0, 1,
                    runs.attempt(), Decider.verification(spec), Decider.repair(spec), cutover)) : List.of();
            return new WorkerStages(Stage.VERIFYING, null, false, creates, null, null);
        }
        WorkerProblem problem = problemOf(o, List.of(last));
        Instant asked = verifyRequestedAt(o);
        if (asked != null && jobsAllowed && last.state() != WorkerRun.State.ACTIVE && last.finished() != null
                && asked.isAfter(last.finished())) { // `kubectl keyferry verify`: a verification now
            return new WorkerStages(Stage.VERIFYING, null, false, List.of(new Decider.Create(WorkerJobs.Stage.VERIFY, -1, 0,
                    last.run() + 1, runs.attempt(), Decider.verification(spec), Decider.repair(spec), cutover)), null, null);
        }
        if (last.state() == WorkerRun.State.ACTIVE) {
            return new WorkerStages(Stage.VERIFYING, null, false, List.of(), null, problem);
        } else if (last.state() == WorkerRun.State.FAILED) {
            return failed("verification failed: " + last.lastError(), problem);
        } else if (runs.lastFinished() != last) {
            return failed("the verification worker " + last.jobName() + " finished without reporting a result", null);
        }
        WorkerReport.Verification result = runs.result();
        long differing = result.mismatches + result.missing;
        if (differing <= (cutover ? spec.getCutover().getMaxMismatches() : 0)) {
            return new WorkerStages(Stage.VERIFIED, null, true, List.of(), null, null);
        }
        if (!cutover) {
            return failed("verification found " + differing + " keys that differ (" + result.mismatches + " different, "
                    + result.missing + " missing); see status.verification.samples, then fix and bump spec.retryNonce", null);
        }
        Instant due = last.finished().plusSeconds(spec.getCutover().getReverifySeconds());
        if (jobsAllowed && !now.isBefore(due)) {
            return new WorkerStages(Stage.VERIFYING, null, false, List.of(new Decider.Create(WorkerJobs.Stage.VERIFY, -1, 0,
                    last.run() + 1, runs.attempt(), Decider.verification(spec), Decider.repair(spec), true)), null, null);
        }
        return new WorkerStages(Stage.VERIFYING, null, false, List.of(), jobsAllowed ? Duration.between(now, due) : null, null);
    }

    /** The annotation that asks for a verification now, and when it was set; an unreadable time asks for nothing. */
    static final String VERIFY_REQUESTED_AT = "keyferry.io/verify-requested-at";

    private static Instant verifyRequestedAt(Snapshot o) {
        java.util.Map<String, String> annotations = o.dm().getMetadata().getAnnotations();
        String at = annotations == null ? null : annotations.get(VERIFY_REQUESTED_AT);
        try {
            return at == null ? null : Instant.parse(at);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static WorkerStages failed(String failure, WorkerProblem problem) {
        String why = problem == null ? failure : failure + " (" + problem.reason() + ": " + problem.message() + ")";
        return new WorkerStages(Stage.FAILED, why, false, List.of(), null, null);
    }

    private static WorkerProblem problemOf(Snapshot o, List<WorkerRun> jobs) {
        return o.problems().stream().filter(p -> jobs.stream().anyMatch(j -> j.jobName().equals(p.jobName())))
                .findFirst().orElse(null);
    }
}
