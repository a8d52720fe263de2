package io.keyferry.cli.kubectl;

import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import io.keyferry.cutover.PhaseLadder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kubectl keyferry rollback NAME`: moves spec.phase one rung back, where the ladder says a rollback leads. From
 * TargetOnly the old store missed the writes made since: a person confirms, or --yes.
 */
@Command(name = "rollback", aliases = "undo", sortOptions = false,
        description = {"Moves spec.phase one rung back: DualWrite -> SourceOnly, ReadTarget or TargetOnly -> DualWrite.",
                "From TargetOnly it warns that the old store missed the writes made since, and asks (or --yes)."})
final class RollbackCommand extends MigrationCommand {
    @Option(names = {"-y", "--yes"}, description = "Roll back from TargetOnly without asking.")
    boolean yes;

    @Mixin
    OutputOptions output;

    RollbackCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        DataMigration dm = migrations().get(name);
        Phase from = Moves.inForce(dm, "roll back");
        Phase to = PhaseLadder.rollbackTarget(from);
        if (to == null) {
            throw new PluginException(ExitCodes.REFUSED, "SourceOnly is in force: it is the first rung, there is nothing"
                    + " to roll back to; nothing was changed");
        }
        Phase desired = dm.getSpec().getPhase();
        if (desired == to) {
            return report(output, Moves.Result.of(dm, "rollback", from, to, false, null, null, "spec.phase already asks for "
                    + Names.of(to) + "; the operator writes the flag " + Moves.flagOf(to) + " at its next reconcile"), ExitCodes.OK);
        }
        if (desired != from) {
            throw Moves.moveInProgress(dm, from);
        }
        String warning = null;
        boolean reverse = from == Phase.TARGET_ONLY && dm.getSpec().getCutover() != null && dm.getSpec().getCutover().reverseSyncOn();
        if (reverse) {
            Moves.request(migrations(), dm, to);
            return report(output, Moves.Result.of(dm, "rollback", from, to, true, null, null, "spec.phase set to "
                    + Names.of(to) + ": the operator writes the flag " + Moves.flagOf(to) + " once the reverse sync has put"
                    + " every write the target took so far into the old store (status.reverseSync)"), ExitCodes.OK);
        }
        if (PhaseLadder.next(from, to, Guards.evidence(dm)) instanceof PhaseLadder.Step step && step.warning() != null) {
            warning = "TargetOnly is in force: the old store missed every write the application made since; after this"
                    + " rollback the application reads the old store again (" + Names.of(to) + ", flag " + Moves.flagOf(to)
                    + ") without those writes";
            Confirmation.require(env.terminal(), err(), yes, warning, "Roll " + name + " back to " + Names.of(to) + "?");
        }
        Moves.request(migrations(), dm, to);
        return report(output, Moves.Result.of(dm, "rollback", from, to, true, null, warning, "spec.phase set to " + Names.of(to)
                + " (" + Names.of(from) + " is in force): the operator writes the flag " + Moves.flagOf(to) + " next"), ExitCodes.OK);
    }
}
