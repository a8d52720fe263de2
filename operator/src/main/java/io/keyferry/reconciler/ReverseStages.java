package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.ReverseSyncStatus;
import io.keyferry.cutover.PhaseLadder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The reverse sync's part of a decision (spec.cutover.reverseSync): while ReadTarget is in force, a short mark Job saves
 * where the target stands in the first source (TargetOnly waits for it, so the reverse sync misses no write made from
 * the flag's move on; it is deleted outside ReadTarget and TargetOnly, so each TargetOnly gets a fresh one); while
 * TargetOnly is in force, one long-running
 * reverse Job follows the target's changes back into the first source; it is started once the forward sync Jobs are
 * gone (so the two never chase each other's writes), restarted as a new run when lost, not restarted when it refused
 * its input (exit 2: its error stays in status.reverseSync), and stopped (its Job deleted) as soon as another phase is
 * in force. A rollback from TargetOnly waits for it ({@link #evidence}): the first source must hold every write the
 * target took before the rollback was first asked (status.reverseSync.rollbackAskedAt), with a lag below
 * spec.cutover.maxLagSeconds. Where the mark found a target without change capture (Pika), no reverse Job follows it:
 * a rollback from TargetOnly instead runs one reverse copy Job ({@link #copyBack}) with TargetOnly still in force, and
 * the flag moves once it has succeeded.
 *
 * @param creates the reverse Job to create, if any
 * @param stopped reverse Jobs to delete: stopped, or lost and replaced
 * @param status  status.reverseSync, or null where no reverse sync is wanted
 */
record ReverseStages(List<Decider.Create> creates, List<String> stopped, ReverseSyncStatus status) {

    static boolean on(DataMigrationSpec spec) {
        return spec.getCutover() != null && spec.getCutover().reverseSyncOn();
    }

    /** This attempt's reverse Jobs, oldest run first. */
    static List<WorkerRun> reverses(WorkerRuns runs) {
        return runs(runs, WorkerJobs.Stage.REVERSE);
    }

    private static List<WorkerRun> runs(WorkerRuns runs, WorkerJobs.Stage stage) {
        return runs.all().stream().filter(r -> runs.attempts().contains(r.attempt()) && r.stage() == stage)
                .sorted(java.util.Comparator.comparingInt(WorkerRun::run)).toList();
    }

    /**
     * @param phase   the phase in force after this decision's cutover step
     * @param allowed no Job of another attempt is still stopping
     */
    static ReverseStages decide(DataMigrationSpec spec, WorkerRuns runs, Phase phase, DataMigrationStatus old, boolean allowed,
                                Instant now) {
        boolean wanted = on(spec) && phase == Phase.TARGET_ONLY;
        List<Decider.Create> creates = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        List<WorkerRun> marks = runs(runs, WorkerJobs.Stage.REVERSE_MARK);
        boolean marking = on(spec) && (phase == Phase.READ_TARGET || phase == Phase.TARGET_ONLY);
        marks.stream().filter(r -> !r.deleting() && (!marking || r.state() == WorkerRun.State.FAILED && SyncStages.lost(r)))
                .forEach(r -> stopped.add(r.jobName())); // a mark is taken anew before each TargetOnly; a lost one again
        if (on(spec) && phase == Phase.READ_TARGET && allowed && marks.stream().allMatch(r -> stopped.contains(r.jobName()))) {
            int run = marks.stream().mapToInt(WorkerRun::run).max().orElse(0) + 1;
            creates.add(new Decider.Create(WorkerJobs.Stage.REVERSE_MARK, -1, 0, run, runs.attempt(), Decider.syncing(spec),
                    false, false));
        }
        boolean copyBack = wanted && copyBack(runs);
        boolean forwardGone = runs.all().stream().noneMatch(r -> r.stage() == WorkerJobs.Stage.SYNC);
        WorkerRun copy = copyStage(spec, runs, wanted && copyBack && askedAt(spec, old, now) != null, allowed && forwardGone,
                creates, stopped);
        List<WorkerRun> reverses = reverses(runs);
        WorkerRun latest = reverses.stream().filter(r -> !r.deleting()).reduce((a, b) -> b).orElse(null);
        for (WorkerRun r : reverses) {
            if (!r.deleting() && (!wanted || copyBack || r != latest)) {
                stopped.add(r.jobName());
            }
        }
        if (copyBack) {
            return new ReverseStages(creates, stopped, status(spec, copy != null && copy.state() == WorkerRun.State.FAILED
                    && !SyncStages.lost(copy) ? copy : null, old, now));
        }
        if (wanted && allowed && forwardGone && (latest == null || SyncStages.lost(latest))) {
            int run = reverses.stream().mapToInt(WorkerRun::run).max().orElse(0) + 1;
            creates.add(new Decider.Create(WorkerJobs.Stage.REVERSE, -1, 0, run, runs.attempt(), Decider.syncing(spec), false, false));
            if (latest != null) {
                stopped.add(latest.jobName());
            }
        }
        return new ReverseStages(creates, stopped, wanted ? status(spec, latest, old, now) : null);
    }

    /**
     * Whether the mark Job found that the target has no change capture (a Pika target): a rollback from TargetOnly then
     * runs a reverse copy ({@link WorkerJobs.Stage#REVERSE_COPY}) instead of waiting for a reverse follow.
     */
    static boolean copyBack(WorkerRuns runs) {
        WorkerRun mark = runs(runs, WorkerJobs.Stage.REVERSE_MARK).stream().filter(r -> !r.deleting()).reduce((a, b) -> b)
                .orElse(null);
        return mark != null && mark.state() == WorkerRun.State.SUCCEEDED && mark.report() != null
                && io.keyferry.worker.WorkerReport.NO_CHANGE_CAPTURE.equals(mark.report().stage);
    }

    /**
     * The reverse copy of a rollback from TargetOnly: one Job while the rollback is asked (a new run where one was lost;
     * none after a refusal), every other deleted.
     *
     * @return the reverse copy run of this rollback, or null
     */
    private static WorkerRun copyStage(DataMigrationSpec spec, WorkerRuns runs, boolean asked, boolean allowed, List<Decider.Create> creates,
                                       List<String> stopped) {
        List<WorkerRun> copies = runs(runs, WorkerJobs.Stage.REVERSE_COPY);
        WorkerRun latest = copies.stream().filter(r -> !r.deleting()).reduce((a, b) -> b).orElse(null);
        copies.stream().filter(r -> !r.deleting() && (!asked || r != latest)).forEach(r -> stopped.add(r.jobName()));
        boolean lost = latest != null && latest.state() == WorkerRun.State.FAILED && SyncStages.lost(latest);
        if (asked && allowed && (latest == null || lost)) {
            int run = copies.stream().mapToInt(WorkerRun::run).max().orElse(0) + 1;
            creates.add(new Decider.Create(WorkerJobs.Stage.REVERSE_COPY, -1, 0, run, runs.attempt(), Decider.syncing(spec), false,
                    false));
            if (latest != null) {
                stopped.add(latest.jobName());
            }
        }
        return asked ? latest : null;
    }

    /** Whether the reverse sync has something running, or still stopping: the forward sync waits for it. */
    static boolean present(WorkerRuns runs) {
        return !reverses(runs).isEmpty();
    }

    private static ReverseSyncStatus status(DataMigrationSpec spec, WorkerRun latest, DataMigrationStatus old, Instant now) {
        String asked = askedAt(spec, old, now);
        if (latest != null && latest.state() == WorkerRun.State.FAILED && !SyncStages.lost(latest)) {
            return new ReverseSyncStatus(null, null, null, null, asked, latest.lastError());
        }
        io.keyferry.api.SyncStatus lag = latest == null || latest.state() != WorkerRun.State.ACTIVE ? null
                : SyncStages.lag(latest.report(), now);
        if (lag == null) {
            return new ReverseSyncStatus(null, null, null, null, asked, null);
        }
        return new ReverseSyncStatus(lag.lagSeconds(), lag.changesBehind(), lag.position(), latest.report().sync.caughtUpAt,
                asked, null);
    }

    /** When the rollback from TargetOnly in force was first asked, or null when none is asked. */
    private static String askedAt(DataMigrationSpec spec, DataMigrationStatus old, Instant now) {
        boolean asking = old.getPhase() == Phase.TARGET_ONLY && spec.getPhase() != null && spec.getPhase() != Phase.TARGET_ONLY;
        if (!asking) {
            return null;
        }
        ReverseSyncStatus was = old.getReverseSync();
        return was != null && was.rollbackAskedAt() != null ? was.rollbackAskedAt() : now.toString();
    }

    /**
     * What a rollback from TargetOnly waits for, decided from the status recorded and the reverse worker's report
     * before this decision's cutover step; null without reverse sync, or when TargetOnly is not in force.
     */
    static PhaseLadder.Reverse evidence(DataMigrationSpec spec, WorkerRuns runs, DataMigrationStatus old, Instant now) {
        if (on(spec) && old.getPhase() == Phase.READ_TARGET) {
            WorkerRun mark = runs(runs, WorkerJobs.Stage.REVERSE_MARK).stream().filter(r -> !r.deleting())
                    .reduce((a, b) -> b).orElse(null);
            boolean refused = mark != null && mark.state() == WorkerRun.State.FAILED && !SyncStages.lost(mark);
            return new PhaseLadder.Reverse(null, false, refused ? mark.lastError() : null,
                    mark != null && mark.state() == WorkerRun.State.SUCCEEDED);
        }
        if (!on(spec) || old.getPhase() != Phase.TARGET_ONLY) {
            return null;
        }
        if (copyBack(runs)) {
            WorkerRun copy = runs(runs, WorkerJobs.Stage.REVERSE_COPY).stream().filter(r -> !r.deleting())
                    .reduce((a, b) -> b).orElse(null);
            boolean refused = copy != null && copy.state() == WorkerRun.State.FAILED && !SyncStages.lost(copy);
            boolean done = copy != null && copy.state() == WorkerRun.State.SUCCEEDED && askedAt(spec, old, now) != null;
            return PhaseLadder.Reverse.copy(done, refused ? copy.lastError() : null);
        }
        WorkerRun latest = reverses(runs).stream().filter(r -> !r.deleting()).reduce((a, b) -> b).orElse(null);
        ReverseSyncStatus s = status(spec, latest, old, now);
        boolean caughtUp = s.caughtUpAt() != null && s.rollbackAskedAt() != null
                && Instant.parse(s.caughtUpAt()).isAfter(Instant.parse(s.rollbackAskedAt()));
        return new PhaseLadder.Reverse(s.lagSeconds(), caughtUp, s.lastError());
    }
}
