package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.ProgressStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.UndoStatus;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An abort's part of a decision (spec.phase Aborted, or spec.abort: true): refused, with nothing written and nothing
 * stopped, from ReadTarget or TargetOnly and where no undo journal is kept; otherwise the flag goes to SourceOnly (the
 * cutover's step), every copy, verification and sync worker is stopped, and once none runs and SourceOnly is in force
 * one undo worker puts the target back from the journal. Its progress is status.undo and status.progress; when it has
 * checked the target against the journal, the stage is Aborted, Ready is True with reason Aborted, and the history
 * records the abort. The flag ends at SourceOnly (1100): the application reads and writes only the old store.
 */
final class AbortStage {
    private AbortStage() {}

    /** Whether the spec asks for an abort. */
    static boolean asked(DataMigrationSpec spec) {
        return spec.getPhase() == Phase.ABORTED || Boolean.TRUE.equals(spec.getAbort());
    }

    /**
     * The phase the cutover is steered to: spec.phase; or Aborted (the ladder makes it SourceOnly) for an abort, also
     * one under way that the spec no longer asks for (an undo half done is finished before anything else).
     */
    static Phase desired(DataMigrationSpec spec, DataMigrationStatus recorded, Phase current) {
        if (!asked(spec) && recorded.getStage() != Stage.ABORTING) {
            return spec.getPhase();
        }
        if (refusal(spec, recorded) != null || PhaseLadder.abortRefusal(current) != null) { // the flag stays
            return current == null ? Phase.SOURCE_ONLY : current;
        }
        return Phase.ABORTED;
    }

    /** Why the abort may not start, or null. */
    static String refusal(DataMigrationSpec spec, DataMigrationStatus recorded) {
        if (recorded.getStage() == Stage.ABORTED || recorded.getStage() == Stage.ABORTING) {
            return null;
        }
        String fromPhase = PhaseLadder.abortRefusal(recorded.getPhase());
        if (fromPhase != null) {
            return fromPhase;
        }
        UndoStatus undo = recorded.getUndo();
        if (undo != null && undo.removedAt() != null) {
            return "the undo journal was removed at " + undo.removedAt() + " after spec.undo.retainSeconds ("
                    + spec.getUndo().getRetainSeconds() + " s after the migration finished), so nothing can be put back any"
                    + " more (the target keeps what was copied)";
        }
        if (!journaled(spec, recorded)) {
            return "this migration keeps no undo journal (spec.undo.enabled is false, or unset and the target was empty"
                    + " when the first copy worker asked, or no copy worker has reported yet), so nothing can be put back; to"
                    + " stop using the target, set spec.phase to SourceOnly and delete the DataMigration (the target keeps"
                    + " what was copied)";
        }
        return null;
    }

    /** Whether the copy workers journal: spec.undo.enabled, or as they reported the migration's default. */
    static boolean journaled(DataMigrationSpec spec, DataMigrationStatus recorded) {
        Boolean set = spec.getUndo().getEnabled();
        return set != null ? set : recorded.getUndo() != null && Boolean.TRUE.equals(recorded.getUndo().enabled());
    }

    /**
     * status.undo outside an abort: whether the journal is kept (spec.undo.enabled, or the copy workers' report of the
     * default) and its size (the largest a copy worker reported: they share one journal); null while nothing is known.
     */
    static UndoStatus journal(DataMigrationSpec spec, WorkerRuns runs, UndoStatus old) {
        Boolean enabled = spec.getUndo().getEnabled();
        Long bytes = old == null ? null : old.bytes();
        for (WorkerRun r : runs.all()) {
            WorkerReport.Undo u = r.stage() == WorkerJobs.Stage.COPY && r.report() != null ? r.report().undo : null;
            if (u != null && u.journaling != null) {
                enabled = enabled != null ? enabled : u.journaling;
                bytes = bytes == null || u.journalBytes > bytes ? Long.valueOf(u.journalBytes) : bytes;
            }
        }
        if (enabled == null && old != null) {
            enabled = old.enabled();
        }
        return enabled == null && bytes == null ? null : new UndoStatus(enabled, bytes, null, null, null, null, null, null,
                old == null ? null : old.retainedUntil(), old == null ? null : old.removedAt());
    }

    static Decider.Decision decide(Snapshot o, StatusDraft d, WorkerRuns runs, CutoverHandler.Cutover cut) {
        DataMigrationSpec spec = o.dm().getSpec();
        String refused = refusal(spec, d.old);
        carryOver(d);
        if (refused != null) {
            String message = (spec.getPhase() == Phase.ABORTED ? "spec.phase is Aborted" : "spec.abort is true")
                    + " but the abort is refused: " + refused + "; nothing was written or stopped";
            d.next.setStage(d.old.getStage() == null ? Stage.PENDING : d.old.getStage());
            d.conditions.set(Conditions.TRANSITION_BLOCKED, true, "AbortRefused", message);
            d.conditions.set(Conditions.STALLED, true, "AbortRefused", message);
            d.conditions.set(Conditions.READY, false, "AbortRefused", message);
            d.conditions.set(Conditions.RECONCILING, false, "AbortRefused", "waiting for the spec to change");
            return decision(o, d, List.of(), List.of(), cut, null);
        }
        List<String> stop = runs.all().stream().filter(r -> r.stage() != WorkerJobs.Stage.UNDO
                && r.state() == WorkerRun.State.ACTIVE && !r.deleting()).map(WorkerRun::jobName).toList();
        boolean othersRun = runs.all().stream().anyMatch(r -> r.stage() != WorkerJobs.Stage.UNDO
                && r.state() == WorkerRun.State.ACTIVE);
        boolean sourceOnly = spec.getCutover() == null
                || cut.step() == null && cut.held() == null && d.next.getPhase() == Phase.SOURCE_ONLY;
        WorkerRun undo = runs.all().stream().filter(r -> r.stage() == WorkerJobs.Stage.UNDO
                && runs.attempts().contains(r.attempt())).reduce((a, b) -> b).orElse(null);
        List<Decider.Create> creates = new ArrayList<>();
        if (undo == null && d.old.getStage() != Stage.ABORTED && !othersRun && sourceOnly) {
            creates.add(new Decider.Create(WorkerJobs.Stage.UNDO, -1, 0, 1, runs.attempt(), Decider.effective(spec), false, false));
        }
        WorkerReport report = undo == null ? null : undo.report();
        d.next.setUndo(undoStatus(d.old.getUndo(), report));
        if (report != null) {
            d.next.setProgress(new ProgressStatus(report.percent, null, report.undo == null ? null
                    : report.undo.restored + report.undo.deleted, null, null, null, null, null, null));
        }
        if (undo != null && undo.state() == WorkerRun.State.FAILED) {
            String why = "the abort's undo failed: " + undo.lastError() + "; the progress is kept in the journal's store:"
                    + " fix the cause, then change spec.retryNonce to resume it";
            d.next.setStage(Stage.FAILED);
            d.conditions.set(Conditions.STALLED, true, "AbortFailed", why);
            d.conditions.set(Conditions.READY, false, "AbortFailed", why);
            d.conditions.set(Conditions.RECONCILING, false, "AbortFailed", "waiting for spec.retryNonce to change");
            return decision(o, d, List.of(), stop, cut, null);
        }
        if (d.old.getStage() == Stage.ABORTED || undo != null && undo.state() == WorkerRun.State.SUCCEEDED) {
            return aborted(o, d, cut);
        }
        d.next.setStage(Stage.ABORTING);
        String doing = !sourceOnly ? "moving the flag to SourceOnly" : othersRun ? "stopping the workers"
                : "putting the target back from the undo journal";
        d.conditions.set(Conditions.STALLED, false, "Aborting", "");
        d.conditions.set(Conditions.READY, false, "Aborting", doing);
        d.conditions.set(Conditions.RECONCILING, true, "Aborting", doing);
        return decision(o, d, creates, stop, cut, othersRun ? Decider.WATCH_WORKERS : null);
    }

    /** The undo finished and checked clean: Aborted, recorded once in the history. */
    private static Decider.Decision aborted(Snapshot o, StatusDraft d, CutoverHandler.Cutover cut) {
        d.next.setStage(Stage.ABORTED);
        UndoStatus u = d.next.getUndo();
        String message = "aborted: the target is as it was before the migration" + (u == null || u.keysRestored() == null ? ""
                : " (" + u.keysRestored() + " keys put back, " + u.keysDeleted() + " deleted, " + u.keysChecked()
                + " checked against the journal)") + "; the flag is SourceOnly (1100): the application uses only the old store";
        if (d.old.getStage() != Stage.ABORTED) {
            Phase from = d.next.getPhase();
            d.move(from, Phase.ABORTED, PhaseLadder.flag(Phase.SOURCE_ONLY), message);
            d.next.setPhase(from); // the phase in force stays the flag's: Aborted is in the history, not a rung
        }
        d.conditions.set(Conditions.STALLED, false, "Aborted", "");
        d.conditions.set(Conditions.READY, true, "Aborted", message);
        d.conditions.set(Conditions.RECONCILING, false, "Aborted", "");
        Decider.Decision decision = decision(o, d, List.of(), List.of(), cut, null);
        if (d.old.getStage() != Stage.ABORTED) {
            decision.events().add(Decider.Event.normal("Aborted", message));
        }
        return decision;
    }

    /** What an abort keeps of the status recorded before: the copy's sources and verification, as they were. */
    private static void carryOver(StatusDraft d) {
        d.next.setSources(d.old.getSources());
        d.next.setVerification(d.old.getVerification());
        d.next.setProgress(d.old.getProgress());
        d.next.setUndo(d.old.getUndo());
        d.next.setSyncLagSeconds(null);
    }

    private static UndoStatus undoStatus(UndoStatus old, WorkerReport report) {
        if (report == null || report.undo == null) {
            return old;
        }
        WorkerReport.Undo u = report.undo;
        return new UndoStatus(true, u.journalBytes, u.segmentsDone, u.segments, u.restored, u.deleted,
                WorkerReport.UNDONE.equals(report.stage) || u.mismatched > 0 ? u.checked : null,
                WorkerReport.UNDONE.equals(report.stage) || u.mismatched > 0 ? u.mismatched : null, null, null);
    }

    private static Decider.Decision decision(Snapshot o, StatusDraft d, List<Decider.Create> creates, List<String> stop,
                                             CutoverHandler.Cutover cut, Duration requeue) {
        DataMigrationStatus st = d.build();
        List<Decider.Event> events = new ArrayList<>(StatusEvents.between(o.dm(), d.old, st));
        Duration wait = cut.requeue() == null ? requeue : requeue == null || cut.requeue().compareTo(requeue) < 0
                ? cut.requeue() : requeue;
        return new Decider.Decision(st, creates, stop, cut.step(), cut.rewriteFlag(), events, wait, List.of());
    }
}
