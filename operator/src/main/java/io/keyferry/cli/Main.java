package io.keyferry.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one entry point of the jar and the image: `keyferry run | ...`. */
@Command(name = "keyferry", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Migrates data between Redis-protocol stores (Redis, Kvrocks, Pika).",
                "keyferry kubectl ... is the kubectl keyferry plugin (kubectl keyferry --help)."},
        subcommands = {RunCommand.class, UndoCommand.class, VerifyCommand.class, WorkerCommand.class, OperatorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("verify"))) {
            // The YAML reader is built while the command line is parsed.
            Thread warmUp = new Thread(io.keyferry.api.ManifestLoader::warmUp, "keyferry-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        }
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line and returns its exit code; the tests call this instead of main. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        if (args.length > 0 && args[0].equals("kubectl")) {
            // The kubectl plugin (the kubectl-keyferry launcher): its own command line, named as kubectl users type it.
            return io.keyferry.cli.kubectl.Plugin.execute(out, err, java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        return new CommandLine(new Main()).setOut(out).setErr(err)
                .setParameterExceptionHandler(Main::badUsage)
                .setExecutionExceptionHandler(Main::failed)
                .execute(args);
    }

    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        e.getCommandLine().getErr().println("keyferry: " + e.getMessage());
        e.getCommandLine().usage(e.getCommandLine().getErr());
        return ExitCodes.INVALID_INPUT;
    }

    /**
     * A failure no command turned into its own message (a connection lost during verification, a bug):
     * exit 3, not picocli's 1, which means "verification found differences". The stack trace only where no I/O
     * failed: a lost connection is the network's or a server's doing, and its message says all a person can act on.
     */
    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println("keyferry: failed: " + e.getMessage() + "; the state is kept, run the same command again");
        if (!io.keyferry.engine.redis.Endpoints.causedBy(e, java.io.IOException.class)) {
            e.printStackTrace(err);
        }
        return ExitCodes.COPY_FAILED;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            if (v == null) {
                // Not from the shaded jar's manifest (the Jib image runs the classes): the filtered resource.
                try (java.io.InputStream in = Main.class.getResourceAsStream("/io/keyferry/version.properties")) {
                    if (in != null) {
                        java.util.Properties p = new java.util.Properties();
                        p.load(in);
                        v = p.getProperty("version");
                    }
                } catch (java.io.IOException e) {
                    v = null;
                }
            }
            return new String[] {"keyferry " + (v == null || v.startsWith("${") ? "development build" : v)};
        }
    }
}
