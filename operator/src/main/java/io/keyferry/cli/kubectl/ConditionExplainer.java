package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.keyferry.cli.kubectl.StatusReport.ConditionView;
import java.util.Map;

/**
 * The operator's conditions in words: what each type, status and reason means, and what a person should do
 * about it. Keys are "Type Status Reason", with "*" for any reason.
 */
final class ConditionExplainer {
    private record Words(String meaning, String action) {}

    private static final String RETRY = "read the error (kubectl keyferry logs %1$s), fix the cause, then"
            + " kubectl keyferry retry %1$s; the copy resumes from its checkpoint";
    private static final String FIX_SPEC = "fix the field the message names (kubectl edit dm %1$s, or the manifest in git)";
    private static final String UNKNOWN_FLAG = "find where the application really reads and writes, and set the flag key"
            + " to that phase's value (1100, 1101, 0111 or 0011): the operator adopts it";
    private static final String TOO_FAR = "set spec.phase to the phase the message names; kubectl keyferry rollback %1$s"
            + " moves one rung back";
    private static final String FLAG_STORE = "check spec.cutover.flag.endpoint and its Secret; the operator retries every 30 s";
    private static final String FLAG_CONFLICT = "make sure one KeyFerry installation manages this migration and nobody"
            + " else writes the flag; the operator reads the flag again and adopts it";

    private static final Map<String, Words> WORDS = Map.ofEntries(
            Map.entry("Ready True PhaseInForce", new Words("the phase in force is settled: its flag is written", null)),
            Map.entry("Ready True Succeeded", new Words("the migration is done: copied, and verified unless verification is Off", null)),
            Map.entry("Ready False InProgress", new Words("still working toward the spec", "wait: kubectl keyferry watch %1$s")),
            Map.entry("Ready False *", new Words("not ready; the reason is in the message", null)),
            Map.entry("Reconciling True ReconcileError", new Words("the operator failed unexpectedly on this resource and retries",
                    "read the message, and the operator's log (kubectl -n keyferry logs deploy/keyferry)")),
            Map.entry("Reconciling True *", new Words("the operator is working toward the spec", null)),
            Map.entry("Reconciling False *", new Words("the operator has nothing more to do for now", null)),
            Map.entry("Stalled True Failed", new Words("a worker failed; nothing more runs until you act", RETRY)),
            Map.entry("Stalled True InvalidSpec", new Words("the spec cannot be used; nothing runs", FIX_SPEC)),
            Map.entry("Stalled True RollbackTooFar", new Words("spec.phase asks for a rollback further back than one rung", TOO_FAR)),
            Map.entry("Stalled True UnknownFlag", new Words("the routing flag holds a value no phase writes; KeyFerry writes"
                    + " nothing and starts no worker", UNKNOWN_FLAG)),
            Map.entry("Stalled True *", new Words("nothing more runs until the cause in the message is gone",
                    "do what the message says; kubectl keyferry logs %1$s shows the workers' side")),
            Map.entry("Stalled False *", new Words("nothing blocks progress", null)),
            Map.entry("Copied True *", new Words("every source was copied", null)),
            Map.entry("Copied False Failed", new Words("the copy failed", RETRY)),
            Map.entry("Copied False *", new Words("the copy has not finished", null)),
            Map.entry("Verified True *", new Words("the last verification found no more differences than allowed", null)),
            Map.entry("Verified False Mismatches", new Words("the last verification found more differing keys than allowed",
                    "look at the samples below; while DualWrite is in force the operator repairs and verifies again by itself,"
                            + " kubectl keyferry verify %1$s asks for a round now")),
            Map.entry("Verified False NotYet", new Words("no verification has finished yet", null)),
            Map.entry("Verified False VerificationOff", new Words("spec.verify.mode is Off: nothing is verified, and a cutover"
                    + " cannot pass the ReadTarget guard", null)),
            Map.entry("TransitionBlocked True GuardNotMet", new Words("spec.phase asks for a rung whose guard is not met; the"
                    + " flag stays as it is", "see the guard below, or kubectl keyferry advance %1$s")),
            Map.entry("TransitionBlocked True RollbackTooFar", new Words("the rollback asked for skips a rung", TOO_FAR)),
            Map.entry("TransitionBlocked True UnknownFlag", new Words("the flag holds no phase's value", UNKNOWN_FLAG)),
            Map.entry("TransitionBlocked True FlagStoreUnavailable", new Words("the flag's store cannot be used; the phase in"
                    + " force stays", FLAG_STORE)),
            Map.entry("TransitionBlocked True FlagConflict", new Words("another writer changed the routing flag; nothing was"
                    + " written", FLAG_CONFLICT)),
            Map.entry("TransitionBlocked True NotLeader", new Words("this operator replica does not hold the Lease; the leader"
                    + " moves the flag", "check that one operator replica holds the Lease (kubectl -n keyferry get lease)")),
            Map.entry("TransitionBlocked True *", new Words("the phase in force stays; the message says why", null)),
            Map.entry("TransitionBlocked False *", new Words("no phase transition is blocked", null)));

    private ConditionExplainer() {}

    static ConditionView explain(Condition c, String migration) {
        Words w = WORDS.get(c.getType() + " " + c.getStatus() + " " + c.getReason());
        if (w == null) {
            w = WORDS.getOrDefault(c.getType() + " " + c.getStatus() + " *", new Words(null, null));
        }
        Words stalled = "Ready".equals(c.getType()) && "False".equals(c.getStatus())
                ? WORDS.get("Stalled True " + c.getReason()) : null;
        String action = w.action() != null ? w.action() : stalled != null ? stalled.action() : null;
        return new ConditionView(c.getType(), c.getStatus(), c.getReason(), c.getMessage(), c.getLastTransitionTime(),
                w.meaning(), action == null ? null : String.format(action, migration));
    }

    /** Whether a condition in this state wants attention: True for Stalled or TransitionBlocked, False for the rest. */
    static boolean healthy(ConditionView c) {
        boolean bad = c.type().equals("Stalled") || c.type().equals("TransitionBlocked");
        return c.type().equals("Reconciling") || bad != "True".equals(c.status());
    }
}
