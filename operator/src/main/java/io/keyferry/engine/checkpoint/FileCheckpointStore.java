package io.keyferry.engine.checkpoint;

import io.keyferry.engine.MigrationInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The checkpoint as DIR/checkpoint.json, replaced atomically (write aside, then rename), so a kill at
 * any instant leaves either the old state or the new one. A lock file keeps two runs off one directory.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path file;
    private final Path temp;
    private final FileChannel lockChannel;
    private final FileLock lock;

    public FileCheckpointStore(Path dir) {
        try {
            Files.createDirectories(dir);
            this.file = dir.resolve("checkpoint.json");
            this.temp = dir.resolve("checkpoint.json.tmp");
            this.lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            this.lock = lockChannel.tryLock();
        } catch (IOException e) {
            throw new MigrationInputException("cannot use state directory " + dir + ": " + e.getMessage()
                    + "; pass a writable --state-dir", e);
        }
        if (lock == null) {
            closeQuietly();
            throw new MigrationInputException("another keyferry process is using state directory " + dir
                    + "; wait for it to finish or pass another --state-dir");
        }
    }

    @Override
    public Optional<Checkpoint> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Checkpoint.JSON.readValue(file.toFile(), Checkpoint.class));
        } catch (IOException e) {
            throw new MigrationInputException("state file " + file + " is unreadable (" + e.getMessage()
                    + "); rerun with --restart to start the copy over", e);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) {
        try {
            Checkpoint.JSON.writeValue(temp.toFile(), checkpoint);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write state file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void clear() {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete state file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (lock != null) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
