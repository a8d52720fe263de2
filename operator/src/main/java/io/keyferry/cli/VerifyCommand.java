package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `keyferry verify -f migration.yaml`: checks the target against the sources, copies nothing. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verifies the target of a DataMigration manifest against its sources, under its policies.",
                "Exit codes: 0 clean, 1 keys still differ after every round, 2 invalid input or unusable endpoint."})
final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ManifestOptions manifest;

    @Mixin
    private FaultOptions faults;

    @Option(names = "--repair", description = "Copy keys that still differ after every round again, then re-check them"
            + " (also spec.verify.repair).")
    private boolean repair;

    @Option(names = "--extra-keys", description = "Also scan the target for keys within the sources' key filters that no"
            + " source has (left by deletes while dual-writing); with --repair they are deleted.")
    private boolean extraKeys;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    private boolean noProgress;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The state directory of `keyferry run` (default"
            + " .keyferry/<name>): with --repair, the repairs and deletes are recorded in the copy's undo journal where it"
            + " kept one, so `keyferry undo` still puts the target back.")
    private java.nio.file.Path stateDir;

    /** A repair writes: --repair, or spec.verify.repair. */
    private boolean repairing(DataMigration dm) {
        return repair || Boolean.TRUE.equals(dm.getSpec().getVerify().getRepair());
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DataMigration dm = manifest.load(err);
        if (dm == null || !faults.apply(err)) {
            return ExitCodes.INVALID_INPUT;
        }
        String name = dm.getMetadata().getName();
        RepairJournal journal;
        try {
            journal = repairing(dm) ? RepairJournal.open(name, dm.getSpec(), stateDir != null ? stateDir
                    : java.nio.file.Path.of(".keyferry", name)) : RepairJournal.NONE;
        } catch (MigrationInputException e) {
            err.println("keyferry: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        Migration[] current = {journal.attach(Migration.verifyOnly(name, dm.getSpec(), manifest.secrets()).keepingListBases(name), dm.getSpec())};
        try {
            CopyPlan plan = current[0].prepare();
            Summary.printPlan(out, "DataMigration " + dm.getMetadata().getName() + " (" + manifest.file + "): verify", plan);
            VerifyResult result = faults.retrying(err).run(attempt -> {
                if (attempt > 1) { // new connections; a verification starts over, it wrote nothing it depends on
                    current[0].close();
                    current[0] = journal.attach(Migration.verifyOnly(name, dm.getSpec(), manifest.secrets()).keepingListBases(name), dm.getSpec());
                    current[0].prepare();
                }
                return Verification.run(current[0], dm, repair, extraKeys, noProgress, err);
            });
            Summary.printVerification(result, out);
            Summary summary = new Summary(dm.getMetadata().getName(), plan, null, result);
            if (manifest.report != null) {
                summary.writeJson(manifest.report);
                out.println("report written to " + manifest.report);
            }
            return result.clean() ? ExitCodes.OK : ExitCodes.MISMATCHES;
        } catch (MigrationInputException e) {
            err.println("keyferry: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        } catch (io.keyferry.engine.CopyFailedException e) {
            err.println("keyferry: verification failed: " + e.getMessage());
            return ExitCodes.COPY_FAILED;
        } finally {
            current[0].close();
            journal.close(); // the state directory's lock, after the journal's file is closed
        }
    }
}
