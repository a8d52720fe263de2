package io.keyferry.engine.sync;

import java.nio.charset.StandardCharsets;

/**
 * One command of a replication stream, with the master's offset after it and the database it applies to.
 * An argument longer than {@link ReplicationStream#KEPT_ARGUMENT} is null (its key is read again from the source).
 */
public record Change(long offset, int db, byte[][] args) {
    public String name() {
        return args.length == 0 || args[0] == null ? "" : new String(args[0], StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
    }

    public boolean is(String command) {
        return name().equals(command);
    }

    public String arg(int i) {
        return i < args.length && args[i] != null ? new String(args[i], StandardCharsets.UTF_8) : null;
    }
}
