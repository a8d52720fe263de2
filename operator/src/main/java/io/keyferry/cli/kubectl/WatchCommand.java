package io.keyferry.cli.kubectl;

import io.keyferry.cli.ExitCodes;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kubectl keyferry watch NAME`: the status view, redrawn every interval on a terminal; off a terminal (a log, a CI
 * job) a new block only when something changed. Ends when the migration is deleted, or with Ctrl-C.
 */
@Command(name = "watch", sortOptions = false,
        description = {"Shows kubectl keyferry status NAME again every --interval seconds: redrawn in place on a terminal,"
                + " a new block only when something changed otherwise. Ends when the DataMigration is deleted."})
final class WatchCommand extends MigrationCommand {
    private static final String CLEAR = "\u001b[H\u001b[2J";

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2", description = "Seconds between looks (default 2).")
    int interval;

    @Mixin
    OutputOptions output;

    WatchCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        if (interval < 1) {
            throw new PluginException(ExitCodes.INVALID_INPUT, "--interval " + interval + ": give 1 second or more");
        }
        boolean redraw = env.terminal().stdoutTty() && output.text();
        String shown = null;
        while (true) {
            MigrationSnapshot s;
            try {
                s = MigrationSnapshot.take(migrations(), name);
            } catch (PluginException e) {
                if (shown == null || e.exitCode() != ExitCodes.NOT_FOUND) {
                    throw e;
                }
                out().println(name + " was deleted.");
                out().flush();
                return ExitCodes.OK;
            }
            if (redraw || !s.versions().equals(shown)) {
                show(StatusReports.of(s), redraw);
                shown = s.versions();
            }
            try {
                env.sleeper().sleep(Duration.ofSeconds(interval));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.OK;
            }
        }
    }

    private void show(StatusReport report, boolean redraw) {
        if (!output.text()) {
            output.print(out(), report);
            return;
        }
        String text = StatusText.render(report, env.terminal(), now());
        if (redraw) {
            out().print(CLEAR + "Every " + interval + "s: kubectl keyferry status " + name + "   " + now() + "\n\n" + text);
        } else {
            out().print("--- " + now() + "\n" + text);
        }
        out().flush();
    }
}
