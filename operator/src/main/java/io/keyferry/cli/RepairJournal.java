package io.keyferry.cli;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.undo.FileSegmentStore;
import io.keyferry.engine.undo.UndoJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * `keyferry verify --repair` writes to the target too (keys copied again, extra keys deleted): where the copy kept an
 * undo journal, the repair records in it, so `keyferry undo` still puts the target back to before the migration. The
 * journal is the copy's: DIR/undo.journal in its state directory (or spec.undo.store, under the migration's name).
 * The copy kept one where spec.undo.enabled is true, or unset and its checkpoint says it decided so. The state
 * directory's lock is held meanwhile, so a `keyferry run` does not append to the same journal at once.
 */
final class RepairJournal implements AutoCloseable {
    private final FileCheckpointStore lock;
    private final String name;
    private final Path state;

    private RepairJournal(FileCheckpointStore lock, String name, Path state) {
        this.lock = lock;
        this.name = name;
        this.state = state;
    }

    /** No journal: a verification without repair, or a copy that kept none. */
    static final RepairJournal NONE = new RepairJournal(null, null, null);

    /** @throws MigrationInputException another keyferry process holds the state directory */
    static RepairJournal open(String name, DataMigrationSpec spec, Path state) {
        Boolean enabled = spec.getUndo().getEnabled();
        if (Boolean.FALSE.equals(enabled) || enabled == null && !copyJournaled(state)) {
            return NONE;
        }
        spec.getUndo().setEnabled(true);
        return new RepairJournal(new FileCheckpointStore(state), name, state);
    }

    /** Has {@code migration} record its repairs in the journal (nothing where none is kept). */
    Migration attach(Migration migration, DataMigrationSpec spec) {
        if (lock == null) {
            return migration;
        }
        return migration.journalingUndo((target, undoStore) -> UndoJournal.open(spec.getUndo(), name, undoStore,
                () -> new FileSegmentStore(state)));
    }

    /** Whether the copy in {@code state} kept a journal: its file there, or its decision in a checkpoint. */
    private static boolean copyJournaled(Path state) {
        if (Files.exists(state.resolve("undo.journal"))) {
            return true;
        }
        if (!Files.isDirectory(state)) {
            return false;
        }
        try (Stream<Path> parts = Files.list(state)) {
            return Stream.concat(Stream.of(state), parts.filter(Files::isDirectory))
                    .map(dir -> dir.resolve("checkpoint.json"))
                    .filter(Files::exists)
                    .anyMatch(RepairJournal::decidedOn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state directory " + state + ": " + e.getMessage(), e);
        }
    }

    private static boolean decidedOn(Path checkpoint) {
        try {
            return Boolean.TRUE.equals(Checkpoint.JSON.readValue(checkpoint.toFile(), Checkpoint.class).undo);
        } catch (IOException e) {
            throw new MigrationInputException("state file " + checkpoint + " is unreadable (" + e.getMessage()
                    + "); the repair cannot tell whether the copy kept an undo journal", e);
        }
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }
}
