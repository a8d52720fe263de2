package io.keyferry.reconciler;

import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.VerifyMode;
import io.keyferry.worker.WorkerReport;
import java.util.List;

/**
 * The conditions that sum a decision up (kstatus): Copied and Verified from the workers, Stalled, Ready and
 * Reconciling from everything (a failure, a rollback too far, a flag that cannot be written, a worker that does not
 * get on). TransitionBlocked is set where the cutover is decided.
 */
final class StatusConditions {
    private StatusConditions() {}

    static void set(StatusDraft d, WorkerRuns runs, WorkerStages w, CutoverHandler.Cutover cut) {
        Conditions c = d.conditions;
        boolean cutover = d.dm.getSpec().getCutover() != null;
        boolean verifyOff = d.dm.getSpec().getVerify().getMode() == VerifyMode.OFF;
        boolean allCopied = runs.allCopied();
        if (allCopied) {
            c.set(Conditions.COPIED, true, "CopyFinished", "every source was copied");
        } else {
            c.set(Conditions.COPIED, false, w.stage() == Stage.FAILED ? "Failed" : "InProgress",
                    w.stage() == Stage.PENDING ? "waiting for spec.phase DualWrite" : "the copy has not finished");
        }
        WorkerReport.Verification result = runs.result();
        if (verifyOff) {
            c.set(Conditions.VERIFIED, false, "VerificationOff", "spec.verify.mode is Off");
        } else if (result != null) {
            c.set(Conditions.VERIFIED, w.clean(), w.clean() ? "Clean" : "Mismatches", result.keysChecked + " keys checked, "
                    + result.mismatches + " different, " + result.missing + " missing"
                    + (result.repaired > 0 ? ", " + result.repaired + " repaired" : ""));
        } else {
            c.set(Conditions.VERIFIED, false, "NotYet", "no verification has finished");
        }
        if (w.stage() == Stage.FAILED) {
            c.set(Conditions.STALLED, true, "Failed", w.failure());
            c.set(Conditions.READY, false, "Failed", w.failure());
            c.set(Conditions.RECONCILING, false, "Failed", "fix the cause, then change spec.retryNonce to try again");
            return;
        }
        if (w.problem() != null) {
            String message = "worker Job " + w.problem().jobName() + ": " + w.problem().message();
            c.set(Conditions.STALLED, true, w.problem().reason(), message);
            c.set(Conditions.READY, false, w.problem().reason(), message);
            c.set(Conditions.RECONCILING, true, w.problem().reason(), "waiting for the worker to run");
            return;
        }
        c.set(Conditions.STALLED, cut.stalledBy() != null, cut.stalledBy() != null ? "RollbackTooFar" : "Progressing",
                cut.stalledBy() != null ? cut.stalledBy() : "");
        if (cut.held() != null) {
            c.set(Conditions.READY, false, cut.held().reason(), cut.held().message());
            c.set(Conditions.RECONCILING, true, cut.held().reason(), "retried every "
                    + CutoverHandler.FLAG_RETRY.toSeconds() + " s");
            return;
        }
        Phase phase = d.next.getPhase();
        boolean done = !cutover && (w.stage() == Stage.VERIFIED || verifyOff && allCopied);
        boolean ready = done || cutover && cut.settled() && (phase != Phase.DUAL_WRITE || w.clean() || verifyOff && allCopied);
        String reason = cutover ? "PhaseInForce" : "Succeeded";
        String message = cutover ? Decider.name(phase) + " is in force, flag " + d.next.getFlag() + rollbackWarning(d)
                : verifyOff ? "copied; verification is Off" : "copied and verified";
        c.set(Conditions.READY, ready, ready ? reason : "InProgress", ready ? message : "stage " + Decider.name(w.stage()));
        c.set(Conditions.RECONCILING, !ready, ready ? reason : "InProgress", ready ? "" : "stage " + Decider.name(w.stage()));
    }

    /** While the phase entered by a rollback from TargetOnly is in force, Ready says what the old store missed. */
    private static String rollbackWarning(StatusDraft d) {
        List<RollbackStatus.Transition> h = d.next.getRollback() == null ? null : d.next.getRollback().history();
        if (h == null || h.isEmpty()) {
            return "";
        }
        RollbackStatus.Transition last = h.get(h.size() - 1);
        return last.from() == Phase.TARGET_ONLY && last.to() == d.next.getPhase()
                ? "; rolled back from TargetOnly at " + last.at() + ": the old store missed the writes made while TargetOnly was in force"
                : "";
    }
}
