package io.keyferry.cli.kubectl;

import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kubectl keyferry advance NAME`: asks for the next rung of the ladder by setting spec.phase, after checking the
 * guard the operator will apply; a blocked rung is explained and nothing changes, unless --force-request.
 */
@Command(name = "advance", aliases = "promote", sortOptions = false,
        description = {"Moves spec.phase one rung forward (SourceOnly -> DualWrite -> ReadTarget -> TargetOnly).",
                "If a guard blocks that rung, says which and what would satisfy it, and changes nothing (exit 7)."})
final class AdvanceCommand extends MigrationCommand {
    @Option(names = "--force-request", description = "Set spec.phase even though a guard blocks the rung. It only asks:"
            + " the operator still enforces the guard and moves once it passes.")
    boolean forceRequest;

    @Mixin
    OutputOptions output;

    AdvanceCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        DataMigration dm = migrations().get(name);
        Phase from = Moves.inForce(dm, "advance");
        if (from == Phase.TARGET_ONLY) {
            throw new PluginException(ExitCodes.REFUSED, "TargetOnly is in force: it is the last rung, there is nothing"
                    + " to advance to; nothing was changed");
        }
        Phase to = Phase.values()[from.ordinal() + 1];
        Phase desired = dm.getSpec().getPhase();
        if (desired != from && desired != to) {
            throw Moves.moveInProgress(dm, from);
        }
        Guards.Verdict verdict = Guards.check(dm, from, to);
        boolean asked = desired == to;
        if (verdict != null && !forceRequest) {
            return report(output, Moves.Result.of(dm, "advance", from, to, false, verdict, null,
                    blockedMessage(verdict, asked)), ExitCodes.GUARD_BLOCKED);
        }
        if (!asked) {
            Moves.request(migrations(), dm, to);
        }
        String message = asked ? "spec.phase already asks for " + Names.of(to) + "; the operator moves "
                + (verdict == null ? "at its next reconcile" : "once the guard passes")
                : "spec.phase set to " + Names.of(to) + " (" + Names.of(from) + " is in force): the operator writes the flag "
                        + Moves.flagOf(to) + " next";
        String warning = verdict == null ? null : "requested although the guard \"" + verdict.guard() + "\" blocks it: the"
                + " operator keeps enforcing it and moves once it passes (" + verdict.satisfy() + ")";
        return report(output, Moves.Result.of(dm, "advance", from, to, !asked, verdict, warning, message), ExitCodes.OK);
    }

    private static String blockedMessage(Guards.Verdict v, boolean asked) {
        return v.rung() + " is blocked by the guard \"" + v.guard() + "\": " + v.reason() + ".\nIt passes with "
                + v.satisfy() + ".\n" + (asked ? "spec.phase already asks for it; the operator moves once the guard passes."
                : "Nothing was changed; --force-request asks for it anyway (the operator still enforces the guard).");
    }
}
