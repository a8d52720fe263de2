package io.keyferry.engine.sync;

import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.redis.Cmd;
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
        this(target, checkpointId, source, 0, 1);
    }

    /** The position of part {@code part} of {@code parts} of a source (a sync worker per part); the source's for 1 part. */
    public TargetPositions(RedisLink target, String checkpointId, String source, int part, int parts) {
        this.target = target;
        this.key = TargetCheckpointStore.keyFor(idFor(checkpointId, source, part, parts)).getBytes(StandardCharsets.UTF_8);
    }

    /** The key a source's position is kept under. */
    public static String keyFor(String checkpointId, String source) {
        return TargetCheckpointStore.keyFor(idFor(checkpointId, source));
    }

    /** The checkpoint id of a source's position: {@link TargetCheckpointStore#keyFor} makes it the key. */
    public static String idFor(String checkpointId, String source) {
        return checkpointId + ":" + source + ":follow";
    }

    /** The same of part {@code part} of {@code parts} of the source: {@code <id>:<source>:follow:<part>/<parts>}. */
    public static String idFor(String checkpointId, String source, int part, int parts) {
        return idFor(checkpointId, source) + (parts <= 1 ? "" : ":" + part + "/" + parts);
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
     * Where a Redis source stands now, as a replica sees it: a replication stream is opened and closed at once, so the
     * source keeps a backlog from there (for its repl-backlog-ttl, an hour by default) even where it had no replica
     * yet, and a sync that PSYNCs from this position later continues instead of starting over. Where the source had no
     * backlog, this is a full resynchronization (a fork of the source; its snapshot is read and skipped), as
     * `keyferry run --follow` does.
     */
    public static Position replicaStart(io.keyferry.engine.redis.RespConnection source) {
        try (ReplicationStream stream = ReplicationStream.open(source, null)) {
            return stream.start();
        }
    }

    /**
     * Where a Kvrocks source stands now: its latest write-ahead log sequence (INFO replication shows it as
     * master_repl_offset). POLLUPDATES from there gets every change after it, as long as the log holds them.
     */
    public static Position walNow(RedisLink source) {
        long sequence = SourceFeed.masterOffset(source.pipe(), source.label());
        if (sequence < 0) {
            throw new IllegalStateException(source.label() + ": INFO replication shows no write-ahead log sequence, so the"
                    + " changes made while the backfill runs could not be followed");
        }
        return Position.inWal(sequence);
    }
}
