package io.keyferry.cutover;

import static io.keyferry.api.Phase.DUAL_WRITE;
import static io.keyferry.api.Phase.READ_TARGET;
import static io.keyferry.api.Phase.SOURCE_ONLY;
import static io.keyferry.api.Phase.TARGET_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyferry.api.Phase;
import io.keyferry.cutover.PhaseLadder.Blocked;
import io.keyferry.cutover.PhaseLadder.Evidence;
import io.keyferry.cutover.PhaseLadder.Move;
import io.keyferry.cutover.PhaseLadder.Stay;
import io.keyferry.cutover.PhaseLadder.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseLadderTest {
    private static final Evidence CLEAN = new Evidence(true, true, 0, 0, List.of(0L));

    @Test
    void eachPhaseWritesItsFlag() {
        assertEquals(List.of("1100", "1101", "0111", "0011", "1100"), // Aborted ends at SourceOnly's flag
                List.of(Phase.values()).stream().map(PhaseLadder::flag).toList());
    }

    @Test
    void movesForwardOneRungAtATimeSkippingNothing() {
        assertEquals(List.of("SOURCE_ONLY:1100", "DUAL_WRITE:1101", "READ_TARGET:0111", "TARGET_ONLY:0011"),
                climb(null, TARGET_ONLY, CLEAN));
    }

    @Test
    void readTargetWaitsForTheCopyAndACleanEnoughVerification() {
        assertEquals("the copy has not finished", blocked(new Evidence(false, false, 0, 0, List.of(0L))));
        assertEquals("no verification round has finished since the copy", blocked(new Evidence(true, false, 0, 0, List.of(0L))));
        assertEquals("the last verification round found 3 keys that differ, more than spec.cutover.maxMismatches (2);"
                + " the next round repairs what differs and looks again", blocked(new Evidence(true, true, 3, 2, List.of(3L))));
        assertEquals("the last verification round found 3 keys that differ, more than spec.cutover.maxMismatches (2);"
                + " the last 5 rounds found 900, 40, 12, 7, 3: converging",
                blocked(new Evidence(true, true, 3, 2, List.of(5000L, 900L, 40L, 12L, 7L, 3L))));
        assertTrue(blocked(new Evidence(true, true, 49, 0, List.of(12L, 49L))).endsWith("the last 2 rounds found 12, 49:"
                + " not converging; check that the application writes the old store first and never the new one alone"
                + " (docs/operations.md, dual write)"));
        assertEquals(new Step(DUAL_WRITE, READ_TARGET, "0111", false, null),
                PhaseLadder.next(DUAL_WRITE, TARGET_ONLY, new Evidence(true, true, 2, 2, List.of(2L))));
    }

    @Test
    void rollsBackToDualWriteAndWarnsWhenLeavingTargetOnly() {
        assertEquals(new Step(READ_TARGET, DUAL_WRITE, "1101", true, null), PhaseLadder.next(READ_TARGET, DUAL_WRITE, CLEAN));
        Step fromTargetOnly = (Step) PhaseLadder.next(TARGET_ONLY, DUAL_WRITE, CLEAN);
        assertEquals(DUAL_WRITE, fromTargetOnly.to());
        assertEquals("1101", fromTargetOnly.flag());
        assertEquals("rolled back from TargetOnly: the old store missed every write made while TargetOnly was in force",
                fromTargetOnly.warning());
        assertEquals(List.of("DUAL_WRITE:1101", "SOURCE_ONLY:1100"), climb(TARGET_ONLY, SOURCE_ONLY, CLEAN));
    }

    @Test
    void staysWhereTheSpecAlreadyIs() {
        assertEquals(new Stay(DUAL_WRITE), PhaseLadder.next(DUAL_WRITE, DUAL_WRITE, CLEAN));
        assertNull(PhaseLadder.rollbackTarget(SOURCE_ONLY));
        assertEquals(DUAL_WRITE, PhaseLadder.rollbackTarget(TARGET_ONLY));
    }

    @Test
    void aRollbackFromTargetOnlyWaitsForTheReverseSyncWhenItIsOn() {
        assertEquals("the reverse sync has no lag known yet (its worker has not reported, or verifies the first source"
                + " against the target with repair: a full reverse diff, slow on a big store); the old store must hold the"
                + " target's writes before the application reads it again; spec.cutover.maxLagSeconds is 1 s (see"
                + " status.reverseSync)", rollback(new PhaseLadder.Reverse(null, false, null)));
        assertTrue(rollback(new PhaseLadder.Reverse(7.5, true, null)).startsWith("the reverse sync lags 7.5 s;"));
        assertTrue(rollback(new PhaseLadder.Reverse(0.0, false, null)).startsWith("the reverse sync lags 0.0 s but has not"
                + " yet applied every write the target took before the rollback was asked"));
        assertTrue(rollback(new PhaseLadder.Reverse(null, false, "Pika offers no change capture")).startsWith(
                "the reverse sync stopped: Pika offers no change capture"));
        assertEquals("the reverse sync's start (where the target stands) is not saved in the first source yet"
                + " (spec.cutover.reverseSync)", ((Blocked) PhaseLadder.next(READ_TARGET, TARGET_ONLY,
                reverse(new PhaseLadder.Reverse(null, false, null, false)))).reason());
        assertEquals(TARGET_ONLY, ((Step) PhaseLadder.next(READ_TARGET, TARGET_ONLY,
                reverse(new PhaseLadder.Reverse(null, false, null, true)))).to(), "TargetOnly once the start is saved");
        Move caughtUp = PhaseLadder.next(TARGET_ONLY, DUAL_WRITE, reverse(new PhaseLadder.Reverse(0.2, true, null)));
        assertEquals(DUAL_WRITE, ((Step) caughtUp).to());
        assertTrue(((Step) caughtUp).warning().contains("after the reverse sync brought the old store up to date"));
        Move without = PhaseLadder.next(TARGET_ONLY, DUAL_WRITE, CLEAN);
        assertTrue(((Step) without).warning().contains("the old store missed every write"), "reverse sync off: as before");
        assertEquals(SOURCE_ONLY, ((Step) PhaseLadder.next(DUAL_WRITE, SOURCE_ONLY, reverse(new PhaseLadder.Reverse(null,
                false, null)))).to(), "only a rollback from TargetOnly waits for it");
    }

    @Test
    void aRollbackFromATargetWithoutChangeCaptureWaitsForTheReverseCopy() {
        assertTrue(rollback(PhaseLadder.Reverse.copy(false, null)).startsWith("the target has no change capture, so a full"
                + " reverse diff runs first"), "no lag to name: the copy runs");
        assertTrue(rollback(PhaseLadder.Reverse.copy(false, "spec.sources: no source")).startsWith(
                "the reverse copy stopped: spec.sources: no source"));
        Move done = PhaseLadder.next(TARGET_ONLY, DUAL_WRITE, new Evidence(true, true, 0, 0, List.of(0L), List.of(), 0,
                PhaseLadder.Reverse.copy(true, null)));
        assertEquals(DUAL_WRITE, ((Step) done).to(), "no lag is compared, even with maxLagSeconds 0");
        assertTrue(((Step) done).warning().contains("after a reverse copy brought the old store up to date; writes the"
                + " target took after its final round"), ((Step) done).warning());
    }

    private static Evidence reverse(PhaseLadder.Reverse r) {
        return new Evidence(true, true, 0, 0, List.of(0L), List.of(), 1, r);
    }

    private static String rollback(PhaseLadder.Reverse r) {
        return ((Blocked) PhaseLadder.next(TARGET_ONLY, DUAL_WRITE, reverse(r))).reason();
    }

    private static String blocked(Evidence e) {
        return ((Blocked) PhaseLadder.next(DUAL_WRITE, READ_TARGET, e)).reason();
    }

    /** The steps taken from a phase until the desired one is in force. */
    private static List<String> climb(Phase from, Phase desired, Evidence e) {
        List<String> steps = new ArrayList<>();
        Phase current = from;
        for (Move m = PhaseLadder.next(current, desired, e); m instanceof Step s; m = PhaseLadder.next(current, desired, e)) {
            steps.add(s.to() + ":" + s.flag());
            current = s.to();
        }
        return steps;
    }
}
