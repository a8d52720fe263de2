package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyferry.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The kubectl plugin: `kubectl keyferry COMMAND`, run by the kubectl-keyferry launcher from the one KeyFerry jar
 * (`keyferry kubectl COMMAND` is the same). It reads and changes DataMigrations through the API server, as kubectl
 * does, with the user's kubeconfig; the operator does the rest.
 */
@Command(name = "kubectl keyferry", sortOptions = false,
        description = "Runs KeyFerry migrations from kubectl: their story, the cutover's next rung, rollbacks, retries.",
        footer = {"", "Exit codes:",
                "  0   done, or nothing was needed",
                "  1   failed unexpectedly (a bug: the stack trace says where)",
                "  2   invalid usage (an unknown option, a source that does not exist)",
                "  6   no such DataMigration (or no worker pod)",
                "  7   advance: a guard blocks the next rung; nothing was changed",
                "  8   refused, nothing was changed: no rung that way, a move under way,",
                "      not confirmed, not failed",
                "  9   abort: the installed KeyFerry has no undo journal",
                "  10  the API server could not be used: unreachable, forbidden, or the",
                "      resource changed meanwhile",
                "",
                "Colours only on a terminal, never with NO_COLOR set. -o json|yaml gives the same facts as data."})
public final class Plugin implements Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** kubectl's options given before the command; the command's own win. */
    @CommandLine.Mixin
    KubeOptions kube;

    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        // Every request would warn that v1alpha1 is not stable: true, and the user did not ask. Set before the first logger.
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
        return execute(Environment.system(), out, err, args);
    }

    static int execute(Environment env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Plugin());
        for (Object command : List.of(new StatusCommand(env), new ListCommand(env), new AdvanceCommand(env),
                new RollbackCommand(env), new AbortCommand(env), new RetryCommand(env), new VerifyNowCommand(env),
                new LogsCommand(env), new WatchCommand(env))) {
            cl.addSubcommand(command);
        }
        return cl.setCaseInsensitiveEnumValuesAllowed(true).setOut(out).setErr(err)
                .setParameterExceptionHandler(Plugin::badUsage)
                .setExecutionExceptionHandler(Plugin::failed)
                .execute(args);
    }

    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("kubectl keyferry: " + e.getMessage());
        err.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        return ExitCodes.INVALID_INPUT;
    }

    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof PluginException p) {
            err.println("kubectl keyferry: " + p.getMessage());
            return p.exitCode();
        }
        if (e instanceof KubernetesClientException k && Migrations.noAnswer(k)) {
            err.println("kubectl keyferry: " + Migrations.unreachable(null, k).getMessage());
            return ExitCodes.API_ERROR;
        }
        if (e instanceof KubernetesClientException k) {
            err.println("kubectl keyferry: the API server could not be used: " + k.getMessage());
            return ExitCodes.API_ERROR;
        }
        err.println("kubectl keyferry: failed unexpectedly (please report it): " + e);
        e.printStackTrace(err);
        return CommandLine.ExitCode.SOFTWARE;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
