package io.keyferry.engine.sync;

import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;

/**
 * Where a sync worker (a pod, which has no state directory) keeps its source's follow position: in the target, next to
 * the copy's checkpoint, as the string key {@code keyferry:checkpoint:{<uid>:<source>:follow}} holding
 * {@code replid:offset}. It is written only after the changes up to it were applied, so a restarted worker resumes
 * from it and loses nothing (a change applied twice is copied again, which is harmless).
 */
public final class TargetPositions {
    private final RedisLink target;
    private final byte[] key;

    /** @param checkpointId the migration's checkpoint id (its UID); @param source the source's name */
    public TargetPositions(RedisLink target, String checkpointId, String source) {
        this.target = target;
        this.key = keyFor(checkpointId, source).getBytes(StandardCharsets.UTF_8);
    }

    /** The key a source's position is kept under. */
    public static String keyFor(String checkpointId, String source) {
        return TargetCheckpointStore.keyFor(checkpointId + ":" + source + ":follow");
    }

    /** The saved position, or null when there is none (or it is unreadable: the follow then starts afresh). */
    public Position load() {
        Object reply = Resp.call(target.pipe(), Cmd.GET, key);
        return reply instanceof byte[] b ? Position.decode(new String(b, StandardCharsets.UTF_8)) : null;
    }

    public void save(Position p) {
        Resp.call(target.pipe(), Cmd.SET, key, p.encode().getBytes(StandardCharsets.UTF_8));
    }

    /** Saves {@code p} only where no position is saved yet (the copy's start, which a resumed copy must not move). */
    public boolean saveIfAbsent(Position p) {
        Object reply = Resp.call(target.pipe(), Resp.ascii("SET"), key, p.encode().getBytes(StandardCharsets.UTF_8),
                Resp.ascii("NX"));
        return Resp.ok(reply);
    }

    public void clear() {
        Resp.call(target.pipe(), Cmd.DEL, key);
    }

    /**
     * Where a source stands now, from INFO replication: a Redis' replication ID and offset (a PSYNC from there gets
     * every change after it), a Kvrocks' latest write-ahead log sequence. Taken before a backfill starts, it is where
     * the follow begins, so that nothing written while the backfill runs is missed.
     */
    public static Position now(RedisLink source, boolean wal) {
        Pipe pipe = source.pipe();
        String text = Resp.text(Resp.call(pipe, Resp.ascii("INFO"), Resp.ascii("replication")), source.label(), null);
        String replId = null;
        long offset = -1;
        for (String line : text.split("\r\n")) {
            if (line.startsWith("master_replid:")) {
                replId = line.substring("master_replid:".length()).strip();
            } else if (line.startsWith("master_repl_offset:")) {
                offset = Long.parseLong(line.substring("master_repl_offset:".length()).strip());
            }
        }
        if (offset < 0 || (!wal && replId == null)) {
            throw new IllegalStateException(source.label() + ": INFO replication shows no replication offset, so the"
                    + " changes made while the backfill runs could not be followed");
        }
        return wal ? Position.inWal(offset) : new Position(replId, offset);
    }
}
