package io.keyferry.engine.undo;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The undo journal as DIR/undo.journal (`keyferry run`): segments appended as [length][CRC-32][bytes] and forced to
 * disk before {@link #append} returns. A segment cut short by a kill (its length or CRC does not hold) is dropped
 * when the journal is opened again: its batch had written nothing, since the copy writes only after the append.
 * An undo's progress is DIR/undo.progress, replaced atomically.
 */
public final class FileSegmentStore implements SegmentStore {
    private final Path file;
    private final Path progress;
    private FileChannel channel;
    private long bytes;

    public FileSegmentStore(Path dir) {
        try {
            Files.createDirectories(dir);
            this.file = dir.resolve("undo.journal");
            this.progress = dir.resolve("undo.progress");
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long good = readAll(s -> { });
            if (good < channel.size()) {
                channel.truncate(good); // the tail a kill cut short
            }
            channel.position(good);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the undo journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void append(byte[] segment) {
        CRC32 crc = new CRC32();
        crc.update(segment);
        ByteBuffer buf = ByteBuffer.allocate(12 + segment.length);
        buf.putInt(segment.length).putLong(crc.getValue()).put(segment).flip();
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the undo journal " + file + ": " + e.getMessage(), e);
        }
        bytes += segment.length;
    }

    @Override
    public synchronized void forEach(Consumer<byte[]> segment) {
        try {
            readAll(segment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the undo journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the whole segments; returns where the last whole one ends. */
    private long readAll(Consumer<byte[]> segment) throws IOException {
        long good = 0;
        long total = 0;
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            while (true) {
                int length;
                long sum;
                byte[] body;
                try {
                    length = in.readInt();
                    sum = in.readLong();
                    if (length < 0 || length > (1 << 30)) {
                        break;
                    }
                    body = new byte[length];
                    in.readFully(body);
                } catch (EOFException cut) {
                    break;
                }
                CRC32 crc = new CRC32();
                crc.update(body);
                if (crc.getValue() != sum) {
                    break;
                }
                segment.accept(body);
                good += 12 + length;
                total += length;
            }
        }
        bytes = total;
        return good;
    }

    @Override
    public synchronized long bytes() {
        return bytes;
    }

    @Override
    public Optional<String> progress() {
        try {
            return Files.exists(progress) ? Optional.of(Files.readString(progress)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + progress + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void saveProgress(String text) {
        Path temp = progress.resolveSibling("undo.progress.tmp");
        try {
            Files.write(temp, text.getBytes(StandardCharsets.UTF_8));
            Files.move(temp, progress, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + progress + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void clear() {
        try {
            channel.truncate(0);
            channel.position(0);
            bytes = 0;
            Files.deleteIfExists(progress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the undo journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing is pending: every append was forced
        }
    }
}
