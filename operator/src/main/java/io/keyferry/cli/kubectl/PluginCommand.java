package io.keyferry.cli.kubectl;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every plugin command has: kubectl's connection options, the environment, and where to print. */
abstract class PluginCommand implements Callable<Integer> {
    final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    KubeOptions kube;

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private Migrations migrations;

    PluginCommand(Environment env) {
        this.env = env;
    }

    Migrations migrations() {
        if (migrations == null) {
            KubeOptions options = spec.parent() != null && spec.parent().userObject() instanceof Plugin plugin
                    ? kube.orElse(plugin.kube) : kube;
            io.fabric8.kubernetes.client.KubernetesClient client = env.clients().apply(options);
            migrations = new Migrations(client, options.namespace(client));
        }
        return migrations;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints what an action did: as data with -o, else the message (and a warning on stderr); a refusal on stderr. */
    int report(OutputOptions output, Moves.Result result, int exitCode) {
        if (!output.text()) {
            output.print(out(), result);
        } else if (exitCode == io.keyferry.cli.ExitCodes.OK) {
            out().println(result.name() + ": " + result.message());
            if (result.warning() != null) {
                err().println(env.terminal().paint("warning: " + result.warning(), Terminal.Style.YELLOW));
            }
        } else {
            err().println(result.name() + ": " + result.message());
        }
        out().flush();
        err().flush();
        return exitCode;
    }

    Instant now() {
        return env.clock().instant();
    }
}
