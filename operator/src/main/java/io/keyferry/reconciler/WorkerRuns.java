package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.worker.WorkerReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A migration's worker Jobs sorted out for one decision: this attempt's copies (one per source, its shards folded)
 * and verifications, and the Jobs of other attempts (stopping, or finished and to be pruned).
 *
 * @param attempts   this attempt's digest, and the one an operator before the canonical digest gave the same spec
 * @param shardRuns  this attempt's copy Jobs by source and shard; null where none was created
 * @param copies     each source's copy, its shards folded ({@link WorkerRun#ofShards}); null before it started
 * @param lastVerify the last verification Job started, or null
 * @param lastFinished the last one that succeeded with a finished result: it decides, even while another runs
 */
record WorkerRuns(String attempt, Set<String> attempts, List<WorkerRun> all, List<WorkerRun> stopping, WorkerRun[][] shardRuns,
                  WorkerRun[] copies, List<WorkerRun> verifications, WorkerRun lastVerify, WorkerRun lastFinished) {

    static WorkerRuns of(List<WorkerRun> runs, DataMigrationSpec effective) {
        String attempt = WorkerJobs.attempt(effective);
        Set<String> attempts = Set.of(attempt, WorkerJobs.legacyAttempt(effective));
        List<WorkerRun> mine = runs.stream().filter(r -> attempts.contains(r.attempt())).toList();
        List<WorkerRun> stopping = runs.stream()
                .filter(r -> !attempts.contains(r.attempt()) && r.state() == WorkerRun.State.ACTIVE).toList();
        int sources = effective.getSources().size();
        int shards = WorkerJobs.shards(effective);
        WorkerRun[][] shardRuns = new WorkerRun[sources][shards];
        for (WorkerRun r : mine) {
            if (r.stage() == WorkerJobs.Stage.COPY && r.source() >= 0 && r.source() < sources && r.shard() >= 0 && r.shard() < shards) {
                shardRuns[r.source()][r.shard()] = r;
            }
        }
        WorkerRun[] copies = Arrays.stream(shardRuns).map(WorkerRun::ofShards).toArray(WorkerRun[]::new);
        List<WorkerRun> verifications = mine.stream().filter(r -> r.stage() == WorkerJobs.Stage.VERIFY)
                .sorted(Comparator.comparingInt(WorkerRun::run)).toList();
        WorkerRun lastVerify = verifications.isEmpty() ? null : verifications.get(verifications.size() - 1);
        WorkerRun lastFinished = verifications.stream().filter(r -> r.state() == WorkerRun.State.SUCCEEDED && finished(r))
                .reduce((x, y) -> y).orElse(null);
        return new WorkerRuns(attempt, attempts, runs, stopping, shardRuns, copies, verifications, lastVerify, lastFinished);
    }

    private static boolean finished(WorkerRun r) {
        return r.report() != null && r.report().verification != null && r.report().verification.finished;
    }

    boolean allCopied() {
        return Arrays.stream(copies).allMatch(r -> r != null && r.state() == WorkerRun.State.SUCCEEDED);
    }

    boolean anyCopyStarted() {
        return Arrays.stream(copies).anyMatch(Objects::nonNull);
    }

    /** What the last finished verification found, or null. */
    WorkerReport.Verification result() {
        return lastFinished == null ? null : lastFinished.report().verification;
    }

    /** Keys that differ (different or missing) in each finished verification round, oldest first. */
    List<Long> rounds() {
        return verifications.stream().filter(WorkerRuns::finished)
                .map(r -> r.report().verification.mismatches + r.report().verification.missing).toList();
    }

    /** Active Jobs of another attempt not yet being deleted: to delete before this attempt starts. */
    List<String> obsolete() {
        return stopping.stream().filter(r -> !r.deleting()).map(WorkerRun::jobName).toList();
    }

    /**
     * Finished Jobs no longer needed: every one of an older attempt, and this attempt's verifications but the last
     * {@code kept}.
     */
    List<String> pruned(int kept) {
        List<String> pruned = new ArrayList<>();
        all.stream().filter(r -> !attempts.contains(r.attempt()) && r.state() != WorkerRun.State.ACTIVE && !r.deleting())
                .forEach(r -> pruned.add(r.jobName()));
        List<WorkerRun> finished = verifications.stream().filter(r -> r.state() != WorkerRun.State.ACTIVE && !r.deleting()).toList();
        finished.subList(0, Math.max(0, finished.size() - kept)).forEach(r -> pruned.add(r.jobName()));
        return pruned;
    }

    /** This attempt's sync Jobs of source {@code source} (spec.sync.mode Continuous), every part, oldest run first. */
    List<WorkerRun> syncsOf(int source) {
        return all.stream().filter(r -> attempts.contains(r.attempt()) && r.stage() == WorkerJobs.Stage.SYNC && r.source() == source)
                .sorted(Comparator.comparingInt(WorkerRun::run)).toList();
    }

    /** The same of one part of the source (spec.worker.parallelism). */
    List<WorkerRun> syncsOf(int source, int shard) {
        return syncsOf(source).stream().filter(r -> r.shard() == shard).toList();
    }

    /** Whether every source's latest sync workers (one per part) follow its changes (caught up with those since its copy). */
    boolean allFollowing(int sources) {
        for (int i = 0; i < sources; i++) {
            for (int k = 0; k < shardRuns[i].length; k++) {
                WorkerRun last = syncsOf(i, k).stream().filter(r -> !r.deleting()).reduce((a, b) -> b).orElse(null);
                if (last == null || last.state() != WorkerRun.State.ACTIVE || last.report() == null
                        || !WorkerReport.FOLLOWING.equals(last.report().stage)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** This attempt's Jobs of a source's copy (every shard), or of verifications when {@code source} is -1. */
    List<WorkerRun> jobsOf(int source) {
        if (source < 0) {
            return verifications;
        }
        return Arrays.stream(shardRuns[source]).filter(Objects::nonNull).toList();
    }
}
