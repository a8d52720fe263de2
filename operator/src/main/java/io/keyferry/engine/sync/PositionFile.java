package io.keyferry.engine.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where `keyferry run --follow` keeps each source's replication position: {@code follow} in its state directory, one
 * line per source ({@code name replid:offset}), replaced atomically, so a kill at any moment leaves the last one whole.
 */
public final class PositionFile {
    private final Path file;

    public PositionFile(Path stateDir) {
        this.file = stateDir.resolve("follow");
    }

    /** The saved positions in the sources' order, or null when there are none (or they are of other sources). */
    public List<Position> load(List<String> sources) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.size() != sources.size()) {
                return null;
            }
            List<Position> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String[] parts = lines.get(i).split(" ", 2);
                Position p = parts.length == 2 && parts[0].equals(sources.get(i)) ? Position.decode(parts[1]) : null;
                if (p == null) {
                    return null;
                }
                out.add(p);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void save(List<String> sources, List<Position> positions) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            text.append(sources.get(i)).append(' ').append(positions.get(i).encode()).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("follow.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
