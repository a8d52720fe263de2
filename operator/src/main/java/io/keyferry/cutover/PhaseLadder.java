package io.keyferry.cutover;

import io.keyferry.api.Phase;
import java.util.List;

/**
 * The cutover ladder of shared/DESIGN.md section 4, as pure decisions: which flag a phase writes, and
 * the one move to make from the phase in force toward the phase the spec asks for. Forward moves go one
 * rung at a time and ReadTarget is guarded by evidence the operator recorded; moves back are rollbacks.
 * The reconciler carries a move out (writes the flag, records history); nothing here touches a store.
 */
public final class PhaseLadder {
    private PhaseLadder() {}

    /** The routing flag of a phase: read-old, write-old, read-new, write-new. */
    public static String flag(Phase phase) {
        return switch (phase) {
            case SOURCE_ONLY, ABORTED -> "1100";
            case DUAL_WRITE -> "1101";
            case READ_TARGET -> "0111";
            case TARGET_ONLY -> "0011";
        };
    }

    /** The phase whose flag this is, or null for a value no phase writes. */
    public static Phase phaseOf(String flag) {
        for (Phase p : Phase.values()) {
            if (flag(p).equals(flag)) {
                return p;
            }
        }
        return null;
    }

    /** A phase as the manifest spells it. */
    static String name(Phase phase) {
        return switch (phase) {
            case SOURCE_ONLY -> "SourceOnly";
            case DUAL_WRITE -> "DualWrite";
            case READ_TARGET -> "ReadTarget";
            case TARGET_ONLY -> "TargetOnly";
            case ABORTED -> "Aborted";
        };
    }

    /** Where moving spec.phase back from a phase leads, or null from SourceOnly. */
    public static Phase rollbackTarget(Phase phase) {
        return switch (phase) {
            case SOURCE_ONLY, ABORTED -> null;
            case DUAL_WRITE -> Phase.SOURCE_ONLY;
            case READ_TARGET, TARGET_ONLY -> Phase.DUAL_WRITE;
        };
    }

    /**
     * Why an abort (spec.phase Aborted, spec.abort) may not start from the phase in force, or null where it may: only
     * from SourceOnly or DualWrite (or before any flag), where the old store has every write.
     */
    public static String abortRefusal(Phase current) {
        if (current == Phase.READ_TARGET || current == Phase.TARGET_ONLY) {
            return name(current) + " is in force: the application reads the new store, whose keys the undo would put"
                    + " back; roll back to DualWrite first (spec.phase DualWrite), then abort";
        }
        return null;
    }

    /**
     * What the operator knows when it decides.
     *
     * @param copied        the backfill finished
     * @param verifiedRound a verification round finished after the copy
     * @param mismatches    keys that differed (mismatched or missing) in the last round
     * @param maxMismatches spec.cutover.maxMismatches
     * @param rounds        keys that differed in each finished verification round since the copy, oldest first
     * @param lags          each followed source's sync lag (spec.sync.mode Continuous); empty without live sync
     * @param maxLagSeconds spec.cutover.maxLagSeconds: every lag must be below it
     * @param reverse       the reverse sync a rollback from TargetOnly waits for (spec.cutover.reverseSync); or null
     */
    public record Evidence(boolean copied, boolean verifiedRound, long mismatches, int maxMismatches, List<Long> rounds,
                           List<Lag> lags, int maxLagSeconds, Reverse reverse) {
        public Evidence(boolean copied, boolean verifiedRound, long mismatches, int maxMismatches, List<Long> rounds,
                        List<Lag> lags, int maxLagSeconds) {
            this(copied, verifiedRound, mismatches, maxMismatches, rounds, lags, maxLagSeconds, null);
        }

        /** Evidence of a migration copied once (no live sync). */
        public Evidence(boolean copied, boolean verifiedRound, long mismatches, int maxMismatches, List<Long> rounds) {
            this(copied, verifiedRound, mismatches, maxMismatches, rounds, List.of(), 0);
        }
    }

    /**
     * A followed source's sync lag (spec.sync.mode Continuous), as its sync worker last reported it.
     *
     * @param seconds the lag in seconds; null while no sync worker of the source follows it
     */
    public record Lag(String source, Double seconds) {}

    /**
     * The reverse sync of the target into the first source (spec.cutover.reverseSync), as its worker last reported.
     *
     * @param seconds    its lag; null while its worker has not reported (or verifies the first source with repair)
     * @param caughtUp   the first source holds every write the target took before the rollback was asked
     * @param stoppedBy  why the reverse sync stopped and will not go on, or null
     * @param started    where the target stood was saved during ReadTarget, so the reverse sync misses nothing from the
     *                   flag's move to TargetOnly on: TargetOnly waits for it
     * @param copy       the target has no change capture: a rollback waits for a reverse copy instead (no lag)
     */
    public record Reverse(Double seconds, boolean caughtUp, String stoppedBy, boolean started, boolean copy) {
        public Reverse(Double seconds, boolean caughtUp, String stoppedBy, boolean started) {
            this(seconds, caughtUp, stoppedBy, started, false);
        }

        /** The reverse sync of a TargetOnly in force (its start was saved before). */
        public Reverse(Double seconds, boolean caughtUp, String stoppedBy) {
            this(seconds, caughtUp, stoppedBy, true);
        }

        /**
         * A target without change capture: the rollback runs a reverse copy with repair first.
         *
         * @param done the reverse copy of this rollback finished with the first source equal to the target
         */
        public static Reverse copy(boolean done, String stoppedBy) {
            return new Reverse(null, done, stoppedBy, true, true);
        }
    }

    /** The outcome of a decision. */
    public sealed interface Move permits Step, Blocked, Stay {}

    /**
     * Write {@code flag} and put {@code to} in force.
     *
     * @param warning what the user must know about this step (a rollback from TargetOnly), or null
     */
    public record Step(Phase from, Phase to, String flag, boolean rollback, String warning) implements Move {}

    /**
     * The desired phase may not be entered (yet); the flag stays as it is.
     *
     * @param stalled no waiting makes it possible: the spec must change
     */
    public record Blocked(Phase from, Phase desired, String reason, boolean stalled) implements Move {}

    /** The desired phase is in force. */
    public record Stay(Phase current) implements Move {}

    /**
     * @param current the phase in force, or null when no flag has been written yet
     * @param desired spec.phase
     */
    public static Move next(Phase current, Phase desired, Evidence evidence) {
        if (current == Phase.ABORTED) { // not a rung: its flag is SourceOnly's
            current = Phase.SOURCE_ONLY;
        }
        if (desired == Phase.ABORTED) { // an abort first moves the flag to SourceOnly, from where abortRefusal allows
            desired = abortRefusal(current) == null ? Phase.SOURCE_ONLY : current;
        }
        if (current == null) {
            return step(null, Phase.SOURCE_ONLY, false, null);
        }
        if (current == desired) {
            return new Stay(current);
        }
        if (desired.ordinal() < current.ordinal()) {
            Phase to = rollbackTarget(current);
            if (to.ordinal() < desired.ordinal()) {
                return new Blocked(current, desired, "a rollback from " + name(current) + " goes to "
                        + name(to) + " (" + flag(to) + "), further back than spec.phase asks; set spec.phase to "
                        + name(to) + " to roll back (the application then reads the old store, which missed every"
                        + " write made since " + name(current) + "), or back to " + name(current), true);
            }
            String refused = current == Phase.TARGET_ONLY ? reverseRefusal(evidence) : null;
            if (refused != null) {
                return new Blocked(current, desired, refused, false);
            }
            String warning = current != Phase.TARGET_ONLY ? null : evidence != null && evidence.reverse() != null
                    ? evidence.reverse().copy() ? "rolled back from TargetOnly after a reverse copy brought the old store"
                    + " up to date; writes the target took after its final round, before the flag moved, are not in it"
                    : "rolled back from TargetOnly after the reverse sync brought the old store up to date"
                    : "rolled back from TargetOnly: the old store missed every write made while TargetOnly was in force";
            return step(current, to, true, warning);
        }
        Phase to = Phase.values()[current.ordinal() + 1];
        if (to == Phase.READ_TARGET) {
            String refused = readTargetRefusal(evidence);
            if (refused != null) {
                return new Blocked(current, desired, refused, false);
            }
        }
        if (to == Phase.TARGET_ONLY && evidence != null && evidence.reverse() != null && !evidence.reverse().started()) {
            return new Blocked(current, desired, evidence.reverse().stoppedBy() != null ? "the reverse sync cannot start: "
                    + evidence.reverse().stoppedBy() + "; set spec.cutover.reverseSync to false to go on without it (a"
                    + " rollback from TargetOnly then leaves the old store as it was)" : "the reverse sync's start (where the target stands) is not saved in"
                    + " the first source yet (spec.cutover.reverseSync)", false);
        }
        return step(current, to, false, null);
    }

    private static String readTargetRefusal(Evidence e) {
        if (!e.copied()) {
            return "the copy has not finished";
        }
        if (!e.verifiedRound()) {
            return "no verification round has finished since the copy";
        }
        if (e.mismatches() > e.maxMismatches()) {
            return "the last verification round found " + e.mismatches() + " keys that differ, more than "
                    + "spec.cutover.maxMismatches (" + e.maxMismatches() + ")" + trend(e.rounds());
        }
        List<Lag> behind = e.lags().stream().filter(l -> l.seconds() == null || l.seconds() >= e.maxLagSeconds()).toList();
        if (!behind.isEmpty()) {
            return "the live sync is behind: " + behind.stream().map(l -> "source " + l.source() + (l.seconds() == null
                    ? " has no lag known yet (its sync worker has not reported, or verifies the target with repair"
                    + " because the changes since its position were lost)" : " lags " + l.seconds() + " s"))
                    .collect(java.util.stream.Collectors.joining(", ")) + "; spec.cutover.maxLagSeconds is "
                    + e.maxLagSeconds() + " s (see status.sources[].sync)";
        }
        return null;
    }

    /** Why a rollback from TargetOnly must wait for the reverse sync, or null when it need not (or it is off). */
    private static String reverseRefusal(Evidence e) {
        Reverse r = e == null ? null : e.reverse();
        if (r == null) {
            return null;
        }
        if (r.copy()) {
            return r.caughtUp() ? null : (r.stoppedBy() != null ? "the reverse copy stopped: " + r.stoppedBy()
                    : "the target has no change capture, so a full reverse diff runs first: the first source is copied and"
                    + " verified against the target with repair (keys of its range the target no longer has are deleted),"
                    + " slow on a big store") + "; the old store must hold the target's writes before the application"
                    + " reads it again (see the reverse-copy Job's log)";
        }
        String why = r.stoppedBy() != null ? "the reverse sync stopped: " + r.stoppedBy()
                : r.seconds() == null ? "the reverse sync has no lag known yet (its worker has not reported, or verifies the"
                        + " first source against the target with repair: a full reverse diff, slow on a big store)"
                : r.seconds() >= e.maxLagSeconds() ? "the reverse sync lags " + r.seconds() + " s"
                : !r.caughtUp() ? "the reverse sync lags " + r.seconds() + " s but has not yet applied every write the target"
                        + " took before the rollback was asked"
                : null;
        return why == null ? null : why + "; the old store must hold the target's writes before the application reads it"
                + " again; spec.cutover.maxLagSeconds is " + e.maxLagSeconds() + " s (see status.reverseSync)";
    }

    /** What the rounds so far say about convergence, for an SRE deciding whether to wait. */
    static String trend(List<Long> rounds) {
        if (rounds.size() < 2) {
            return "; the next round repairs what differs and looks again";
        }
        List<Long> last = rounds.subList(Math.max(0, rounds.size() - 5), rounds.size());
        boolean falling = last.get(last.size() - 1) < last.get(0);
        return "; the last " + last.size() + " rounds found " + last.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(", ")) + (falling ? ": converging"
                : ": not converging; check that the application writes the old store first and never the new one"
                + " alone (docs/operations.md, dual write)");
    }

    private static Step step(Phase from, Phase to, boolean rollback, String warning) {
        return new Step(from, to, flag(to), rollback, warning);
    }
}
