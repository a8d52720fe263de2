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
