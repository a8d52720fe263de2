package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.undo.FileSegmentStore;
import io.keyferry.engine.undo.UndoResult;
import io.keyferry.engine.undo.UndoRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `keyferry undo -f migration.yaml`: puts the target back as it was before `keyferry run`, from the undo journal. */
@Command(name = "undo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Puts the target of a DataMigration back as it was before the copy, from its undo journal"
                + " (spec.undo): keys the copy created are deleted, keys it changed get their value and TTL back. Then"
                + " checks the target against the journal, and after a clean check removes the journal and the copy's"
                + " checkpoint.",
                "Exit codes: 0 undone and checked, 1 keys still differ from the journal, 2 invalid input or no journal"
                        + " (nothing written), 3 stopped part way (progress kept; the same command resumes)."})
final class UndoCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private ManifestOptions manifest;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where `keyferry run` kept its checkpoint and journal (default: .keyferry/<metadata.name>).")
    private Path stateDir;

    @Option(names = "--no-progress", description = "No progress lines (otherwise one every 10 s on stderr).")
    private boolean noProgress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DataMigration dm = manifest.load(err);
        if (dm == null) {
            return ExitCodes.INVALID_INPUT;
        }
        String name = dm.getMetadata().getName();
        Path state = stateDir != null ? stateDir : Path.of(".keyferry", name);
        FileCheckpointStore lock;
        try {
            lock = new FileCheckpointStore(state); // keeps a copy off the directory meanwhile
        } catch (MigrationInputException e) {
            err.println("keyferry: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        try (lock; UndoRun undo = new UndoRun(name, dm.getSpec(), manifest.secrets(), target -> new FileSegmentStore(state))) {
            try {
                undo.prepare();
            } catch (MigrationInputException e) {
                err.println("keyferry: " + e.getMessage());
                err.println("keyferry: nothing was written to the target.");
                return ExitCodes.INVALID_INPUT;
            }
            out.printf("undo of DataMigration %s: target %s, journal of %,d bytes%n", name, undo.targetLabel(), undo.journalBytes());
            out.flush();
            UndoResult done;
            UndoResult checked;
            try {
                long[] shown = {System.currentTimeMillis()};
                done = undo.restore(segments -> {
                    if (!noProgress && System.currentTimeMillis() - shown[0] >= 10_000) {
                        shown[0] = System.currentTimeMillis();
                        err.printf("undo: %,d journal segments put back%n", segments);
                        err.flush();
                    }
                });
                out.printf("undo finished: %,d keys put back, %,d created keys deleted, %,d deleted as their prior expiry"
                        + " passed, %.1f s this run%n", done.restored(), done.deleted(), done.expired(), done.elapsedMillis() / 1000.0);
                checked = undo.check();
            } catch (CopyFailedException | io.lettuce.core.RedisException | IllegalStateException | java.io.UncheckedIOException e) {
                err.println("keyferry: undo failed: " + e.getMessage());
                err.println("keyferry: progress kept in " + state + "; run the same command again to resume.");
                return ExitCodes.COPY_FAILED;
            }
            out.printf("check %s: %,d keys checked against the journal, %,d differ, %.1f s%n",
                    checked.clean() ? "clean" : "FOUND DIFFERENCES", checked.checked(), checked.mismatched(),
                    checked.elapsedMillis() / 1000.0);
            checked.mismatches().stream().limit(20).forEach(m -> out.println("  " + m));
            writeReport(done, checked, out);
            if (!checked.clean()) {
                return ExitCodes.MISMATCHES;
            }
            undo.removeJournal();
            forgetCopy(lock, state);
            out.println("the journal and the copy's checkpoint were removed: the target is as before the copy.");
            return ExitCodes.OK;
        }
    }

    /** The copy's checkpoints (one per part) go: a later run copies from the beginning, recording a new journal. */
    private static void forgetCopy(FileCheckpointStore root, Path state) {
        root.clear();
        try (var parts = Files.list(state)) {
            for (Path p : parts.filter(d -> d.getFileName().toString().startsWith("part-")).toList()) {
                Files.deleteIfExists(p.resolve("checkpoint.json"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove the checkpoints in " + state + ": " + e.getMessage(), e);
        }
    }

    private void writeReport(UndoResult done, UndoResult checked, PrintWriter out) {
        if (manifest.report == null) {
            return;
        }
        java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("restored", done.restored());
        report.put("deleted", done.deleted());
        report.put("expired", done.expired());
        report.put("segments", done.segments());
        report.put("elapsedMillis", done.elapsedMillis());
        report.put("checked", checked.checked());
        report.put("mismatched", checked.mismatched());
        report.put("mismatches", checked.mismatches());
        try {
            io.keyferry.engine.checkpoint.Checkpoint.JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.report.toFile(), report);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.println("report written to " + manifest.report);
    }
}
