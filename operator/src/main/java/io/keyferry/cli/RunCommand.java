package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.api.InvalidManifestException;
import io.keyferry.api.ManifestLoader;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `keyferry run -f migration.yaml`: the copy of a DataMigration in this process, without a cluster. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Copies every source of a DataMigration manifest into its target, in this process.",
                "Exit codes: 0 done, 2 invalid input or unusable endpoint (nothing written), "
                        + "3 copy failed (state kept; the same command resumes)."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The DataMigration manifest (the YAML you would kubectl apply).")
    private Path file;

    @Option(names = "--secrets-dir", paramLabel = "DIR",
            description = "Secret references {name, key} are read from DIR/<name>/<key>, the layout of a mounted Secret.")
    private Path secretsDir;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the checkpoint is kept (default: .keyferry/<metadata.name>).")
    private Path stateDir;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the final summary as JSON to FILE.")
    private Path report;

    @Option(names = "--dry-run", description = "Probe every endpoint, print the plan, and stop before writing.")
    private boolean dryRun;

    @Option(names = "--restart", description = "Discard the saved state and copy from the beginning.")
    private boolean restart;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal (a plain line every few seconds).")
    private boolean noProgress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DataMigration dm;
        try {
            dm = ManifestLoader.load(file);
        } catch (InvalidManifestException e) {
            err.println("keyferry: " + file + " is not a valid DataMigration:");
            e.getErrors().forEach(fe -> err.println("  " + fe));
            return ExitCodes.INVALID_INPUT;
        }
        String name = dm.getMetadata().getName();
        Path state = stateDir != null ? stateDir : Path.of(".keyferry", name);
        try (FileCheckpointStore store = new FileCheckpointStore(state);
             Migration migration = new Migration(name, dm.getSpec(), new FileSecretResolver(secretsDir), store)) {
            if (restart) {
                store.clear();
            }
            CopyPlan plan;
            try {
                plan = migration.prepare();
            } catch (MigrationInputException e) {
                err.println("keyferry: " + e.getMessage());
                err.println("keyferry: nothing was written to the target.");
                return ExitCodes.INVALID_INPUT;
            }
            out.println("DataMigration " + name + " (" + file + ")");
            plan.describe().forEach(line -> out.println("  " + line));
            notImplementedHere(dm).forEach(line -> out.println("  " + line));
            out.flush();
            if (dryRun) {
                out.println("dry run: nothing was written.");
                return ExitCodes.OK;
            }
            return copy(migration, plan, state, name, out, err);
        } catch (MigrationInputException e) {
            err.println("keyferry: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    /** Parts of the spec that `run` does not act on, said rather than silently ignored. */
    private static java.util.List<String> notImplementedHere(DataMigration dm) {
        java.util.List<String> notes = new java.util.ArrayList<>();
        if (dm.getSpec().getVerify().getMode() != io.keyferry.api.VerifyMode.OFF) {
            notes.add("verify: " + (dm.getSpec().getVerify().getMode() == io.keyferry.api.VerifyMode.SAMPLE ? "Sample" : "Full")
                    + " requested; this version copies only "
                    + "and does not verify yet");
        }
        if (dm.getSpec().getCutover() != null) {
            notes.add("cutover: keyferry run never writes the routing flag; phases are the operator's");
        }
        return notes;
    }

    private int copy(Migration migration, CopyPlan plan, Path state, String name, PrintWriter out, PrintWriter err) {
        ProgressDisplay progress = ProgressDisplay.create(err, noProgress);
        CopyResult result;
        try {
            result = migration.copy(progress);
        } catch (CopyFailedException | io.lettuce.core.RedisException | IllegalStateException e) {
            progress.finish(false);
            err.println("keyferry: copy failed: " + e.getMessage());
            err.println("keyferry: state kept in " + state + "; run the same command again to resume.");
            return ExitCodes.COPY_FAILED;
        }
        progress.finish(true);
        Summary summary = new Summary(name, plan, result);
        summary.print(out);
        if (report != null) {
            summary.writeJson(report);
            out.println("report written to " + report);
        }
        return ExitCodes.OK;
    }
}
