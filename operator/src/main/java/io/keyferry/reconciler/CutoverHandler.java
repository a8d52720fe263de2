package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Phase;
import io.keyferry.cutover.PhaseLadder;
import java.time.Duration;

/**
 * The cutover's part of a decision: which phase is in force, and which flag write (at most one rung) carries
 * spec.phase out. The flag store, not status, is the truth: a flag of another phase than the recorded one is
 * adopted (a resource re-created by GitOps, restored without status, or a flag moved outside this operator) and
 * the ladder goes on from there; a value no phase writes halts everything, the flag untouched. A write this replica
 * cannot make (the store unreadable, the Lease not held) leaves the phase in force as it was.
 */
final class CutoverHandler {
    /** How soon an unusable flag store, or a Lease not held, is tried again. */
    static final Duration FLAG_RETRY = Duration.ofSeconds(30);

    /**
     * @param step        the flag to write, one rung, before the status is recorded; or null
     * @param rewriteFlag the flag in force, to write again where the store lost it; or null
     * @param settled     the phase asked for is in force and nothing is moving
     * @param stalledBy   a spec.phase no waiting can satisfy (a rollback too far), or null
     * @param held        why a write the ladder wants cannot be made now (Ready is False with it), or null
     * @param halted      the flag holds a value no phase has: nothing else is decided
     */
    record Cutover(PhaseLadder.Step step, String rewriteFlag, boolean settled, String stalledBy, Held held, Duration requeue,
                   boolean halted) {
        static final Cutover NONE = new Cutover(null, null, true, null, null, null, false);

        boolean workersMayRun(StatusDraft d) {
            return d.next.getPhase() == Phase.DUAL_WRITE;
        }
    }

    record Held(String reason, String message) {}

    private CutoverHandler() {}

    static Cutover decide(StatusDraft d, Snapshot o, PhaseLadder.Evidence evidence) {
        DataMigrationSpec spec = d.dm.getSpec();
        Snapshot.Flag flag = o.flag();
        if (flag.error() != null) {
            return held(d, "FlagStoreUnavailable", "the routing flag's store (spec.cutover.flag.endpoint) cannot be used: "
                    + flag.error() + "; the phase in force stays " + Decider.name(d.old.getPhase()) + " until it can");
        }
        String found = flag.value();
        if (found != null && !found.equals(d.old.getFlag())) {
            Phase adopted = PhaseLadder.phaseOf(found);
            if (adopted == null) {
                return unknown(d, found);
            }
            adopt(d, adopted, found);
        }
        // A flag gone from the store is put back first; no step is taken from a value not there.
        PhaseLadder.Move move = found == null && d.next.getPhase() != null ? new PhaseLadder.Stay(d.next.getPhase())
                : PhaseLadder.next(d.next.getPhase(), AbortStage.desired(spec, d.old, d.next.getPhase()), evidence);
        if (move instanceof PhaseLadder.Step s) {
            if (!o.leading()) {
                return notLeader(d);
            }
            String reason = (s.rollback() ? "rollback: " : "") + "spec.phase is " + Decider.name(spec.getPhase())
                    + (s.warning() == null ? "" : "; " + s.warning());
            d.move(s.from(), s.to(), s.flag(), reason);
            d.conditions.set(Conditions.TRANSITION_BLOCKED, false, "Moving",
                    (s.from() == null ? "" : Decider.name(s.from()) + " -> ") + Decider.name(s.to()) + ", flag " + s.flag());
            return new Cutover(s, null, false, null, null, Duration.ZERO, false);
        }
        if (move instanceof PhaseLadder.Blocked b) {
            String message = "spec.phase is " + Decider.name(b.desired()) + " but " + Decider.name(b.from())
                    + " stays in force: " + b.reason();
            d.conditions.set(Conditions.TRANSITION_BLOCKED, true, b.stalled() ? "RollbackTooFar" : "GuardNotMet", message);
            return new Cutover(null, null, false, b.stalled() ? message : null, null, null, false);
        }
        if (found == null) { // gone from the store: put back, only where it is still absent
            if (!o.leading()) {
                return notLeader(d);
            }
            d.conditions.set(Conditions.TRANSITION_BLOCKED, false, "FlagRestored", "the routing flag "
                    + spec.getCutover().getFlag().getKey() + " held nothing instead of " + d.next.getFlag() + " ("
                    + Decider.name(d.next.getPhase()) + "); it is written again");
            return new Cutover(null, d.next.getFlag(), true, null, null, null, false);
        }
        d.conditions.set(Conditions.TRANSITION_BLOCKED, false, "PhaseInForce",
                Decider.name(d.next.getPhase()) + " is in force, flag " + d.next.getFlag());
        return new Cutover(null, null, true, null, null, null, false);
    }

    private static Cutover notLeader(StatusDraft d) {
        return held(d, "NotLeader", "this operator replica does not hold the Lease (it lost it, or another replica took"
                + " it over): only the leader writes the flag; the phase in force stays " + Decider.name(d.old.getPhase()));
    }

    /** The flag cannot be written now: the phase recorded before stays in force, its history as it was. */
    private static Cutover held(StatusDraft d, String reason, String message) {
        d.keepPhase();
        d.conditions.set(Conditions.TRANSITION_BLOCKED, true, reason, message);
        return new Cutover(null, null, false, null, new Held(reason, message), FLAG_RETRY, false);
    }

    /** Puts {@code adopted}, the phase whose flag the store holds, in force without writing anything. */
    private static void adopt(StatusDraft d, Phase adopted, String flag) {
        Phase recorded = d.next.getPhase();
        String why = recorded == null
                ? "adopted: the flag store held " + flag + " and this resource had no recorded phase (re-created, or"
                        + " restored without its status)"
                : "adopted: the flag store held " + flag + " where " + Decider.name(recorded) + " (" + d.next.getFlag()
                        + ") was recorded; it was moved outside this operator";
        d.move(recorded, adopted, flag, why);
    }

    /** The flag store holds a value no phase writes: nothing moves, nothing is written, until a person looks. */
    private static Cutover unknown(StatusDraft d, String found) {
        String message = "the routing flag " + d.dm.getSpec().getCutover().getFlag().getKey() + " holds '" + found
                + "', which is no phase's flag (1100 SourceOnly, 1101 DualWrite, 0111 ReadTarget, 0011 TargetOnly);"
                + " KeyFerry writes nothing to it and starts no worker. Find out where the application really reads and"
                + " writes, set the flag to that phase's value, and it is adopted";
        d.conditions.set(Conditions.STALLED, true, "UnknownFlag", message);
        d.conditions.set(Conditions.READY, false, "UnknownFlag", message);
        d.conditions.set(Conditions.RECONCILING, false, "UnknownFlag", "waiting for the flag to hold a phase's value");
        d.conditions.set(Conditions.TRANSITION_BLOCKED, true, "UnknownFlag", message);
        return new Cutover(null, null, false, null, null, FLAG_RETRY, true);
    }
}
