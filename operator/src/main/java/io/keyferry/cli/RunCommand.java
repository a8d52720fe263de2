package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.PartitionedCopy;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `keyferry run -f migration.yaml`: the copy of a DataMigration in this process, without a cluster. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Copies every source of a DataMigration manifest into its target, in this process, then"
                + " verifies it (spec.verify).",
                "Exit codes: 0 done, 1 verification found keys that still differ, 2 invalid input or unusable endpoint"
                        + " (nothing written), 3 copy failed (state kept; the same command resumes)."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ManifestOptions manifest;

    @Mixin
    private FaultOptions faults;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the checkpoint is kept (default: .keyferry/<metadata.name>).")
    private Path stateDir;

    @Option(names = "--dry-run", description = "Probe every endpoint, print the plan, and stop before writing.")
    private boolean dryRun;

    @Option(names = "--restart", description = "Discard the saved state and copy from the beginning.")
    private boolean restart;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal (a plain line every few seconds).")
    private boolean noProgress;

    @Option(names = "--repair", description = "After verification, copy keys that still differ again and re-check them"
            + " (also spec.verify.repair).")
    private boolean repair;

    @Option(names = "--guard-writes", description = "The application writes both stores while this runs (dual write):"
            + " guard every write so that none lands on a newer application write (WATCH and MULTI/EXEC; see docs/operations.md).")
    private boolean guardWrites;

    @Option(names = "--follow", description = "After the copy, keep following the sources' changes (Redis sources as"
            + " their replica, Kvrocks sources through their write-ahead log) and apply them to the target until Ctrl-C; the positions are kept in the state directory,"
            + " so the next run resumes from them.")
    private boolean follow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DataMigration dm = manifest.load(err);
        if (dm == null || !faults.apply(err)) {
            return ExitCodes.INVALID_INPUT;
        }
        String name = dm.getMetadata().getName();
        Path state = stateDir != null ? stateDir : Path.of(".keyferry", name);
        try (PartitionedCopy copy = new PartitionedCopy(name, dm.getSpec(), manifest.secrets(), state)) {
            if (restart) {
                copy.clear();
            }
            if (guardWrites) {
                copy.guardingWrites();
            }
            CopyPlan plan;
            try {
                plan = copy.prepare();
            } catch (MigrationInputException e) {
                err.println("keyferry: " + e.getMessage());
                err.println("keyferry: nothing was written to the target.");
                return ExitCodes.INVALID_INPUT;
            }
            Summary.printPlan(out, "DataMigration " + name + " (" + manifest.file + ")", plan);
            if (copy.workers() > 1) {
                out.println("  workers " + copy.workers() + " per source (spec.worker.parallelism), each with its own checkpoint");
            }
            notImplementedHere(dm).forEach(line -> out.println("  " + line));
            if (dryRun) {
                out.println("dry run: nothing was written.");
                return ExitCodes.OK;
            }
            if (follow) {
                java.util.List<String> problems = io.keyferry.engine.sync.FollowCheck.problems(dm.getSpec(), plan);
                if (!problems.isEmpty()) {
                    problems.forEach(p -> err.println("keyferry: --follow: " + p));
                    err.println("keyferry: nothing was written to the target.");
                    return ExitCodes.INVALID_INPUT;
                }
                return Following.run(copy, dm, state, restart, noProgress, out, err);
            }
            return copy(copy, dm, plan, state, out, err);
        } catch (MigrationInputException e) {
            err.println("keyferry: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    /** Parts of the spec that `run` does not act on, said rather than silently ignored. */
    private static java.util.List<String> notImplementedHere(DataMigration dm) {
        return dm.getSpec().getCutover() == null ? java.util.List.of()
                : java.util.List.of("cutover: keyferry run never writes the routing flag; phases are the operator's");
    }

    private int copy(PartitionedCopy copy, DataMigration dm, CopyPlan plan, Path state, PrintWriter out, PrintWriter err) {
        ProgressDisplay progress = ProgressDisplay.create(err, noProgress);
        PartitionedCopy[] current = {copy};
        try {
            CopyResult result;
            try {
                result = faults.retrying(err).run(attempt -> {
                    if (attempt > 1) {
                        current[0] = reopen(current[0], copy, dm, state);
                    }
                    return current[0].copy(progress);
                });
            } catch (CopyFailedException | io.lettuce.core.RedisException | IllegalStateException | MigrationInputException e) {
                progress.finish(false);
                err.println("keyferry: copy failed: " + e.getMessage());
                err.println("keyferry: state kept in " + state + "; run the same command again to resume.");
                return ExitCodes.COPY_FAILED;
            }
            progress.finish(true);
            Summary.printCopy(result, out);
            VerifyResult verified = null;
            if (Verification.wanted(dm)) {
                try {
                    verified = faults.retrying(err).run(attempt -> {
                        if (attempt > 1) {
                            current[0] = reopen(current[0], copy, dm, state);
                        }
                        return Verification.run(current[0].first(), dm, repair, noProgress, err);
                    });
                } catch (CopyFailedException e) {
                    err.println("keyferry: verification failed: " + e.getMessage());
                    return ExitCodes.COPY_FAILED;
                }
                Summary.printVerification(verified, out);
            }
            Summary summary = new Summary(dm.getMetadata().getName(), plan, result, verified);
            if (manifest.report != null) {
                summary.writeJson(manifest.report);
                out.println("report written to " + manifest.report);
            }
            return verified == null || verified.clean() ? ExitCodes.OK : ExitCodes.MISMATCHES;
        } finally {
            if (current[0] != copy) {
                current[0].close();
            }
        }
    }

    /** New connections for another attempt, resuming from the state the last one saved. */
    private PartitionedCopy reopen(PartitionedCopy last, PartitionedCopy first, DataMigration dm, Path state) {
        if (last != first) {
            last.close();
        }
        first.close(); // its lock on the state directory must go; the caller closes it again, harmlessly
        PartitionedCopy next = new PartitionedCopy(dm.getMetadata().getName(), dm.getSpec(), manifest.secrets(), state);
        try {
            if (guardWrites) {
                next.guardingWrites();
            }
            next.prepare();
            return next;
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
    }
}
