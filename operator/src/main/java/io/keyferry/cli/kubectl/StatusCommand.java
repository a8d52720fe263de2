package io.keyferry.cli.kubectl;

import io.keyferry.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `kubectl keyferry status NAME`: the whole story of a migration on one screen. */
@Command(name = "status", sortOptions = false,
        description = {"Shows a DataMigration's phase and flag, stage, progress per source and part (keys/s, ETA), the last"
                + " verification, its conditions in words with what to do, the rollback history and the worker pods."})
final class StatusCommand extends MigrationCommand {
    @Mixin
    OutputOptions output;

    StatusCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        StatusReport report = StatusReports.of(MigrationSnapshot.take(migrations(), name));
        if (output.text()) {
            out().print(StatusText.render(report, env.terminal(), now()));
            out().flush();
        } else {
            output.print(out(), report);
        }
        return ExitCodes.OK;
    }
}
