package io.keyferry.engine.checkpoint;

import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.WatchedWrite;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The checkpoint kept in the target store itself, as one string key: what a worker pod uses, since a
 * pod's disk does not outlive it and the Kubernetes API is no place for a write per batch (each save
 * holds the decisions of the batch about to be written). The state is as durable as the data it
 * describes: a target that loses its data loses the checkpoint with it, and the copy starts over
 * instead of resuming past keys that are gone.
 *
 * <p>The key is {@code keyferry:checkpoint:{<id>}}; it is never a source key (sources are read, this is
 * written to the target only) and verification checks source keys, so it is never reported. Removing
 * it makes the next attempt copy from the beginning.
 *
 * <p>Saves are fenced: each store opened on an id takes the next attempt token ({@code INCR} of
 * {@code keyferry:checkpoint:{<id>}:fence}) and saves only while no newer token was taken, checked and written in
 * one round trip by a Lua script where the store runs scripts (Redis, Kvrocks; on a Redis Cluster through its client),
 * else in one transaction (WATCH and MULTI/EXEC: Pika). So two workers of one copy, say two pods
 * of one Job with one of them on a partitioned node, never interleave their checkpoints: the older one stops.
 */
public final class TargetCheckpointStore implements CheckpointStore {
    public static final String KEY_PREFIX = "keyferry:checkpoint:";

    private static final String FENCED_SAVE = "local f = tonumber(redis.call('GET', KEYS[1]) or '0')"
            + " if f > tonumber(ARGV[1]) then return f end redis.call('SET', KEYS[2], ARGV[2]) return 0";

    private static final byte[] FENCED_SAVE_SCRIPT = FENCED_SAVE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TWO_KEYS = Resp.num(2);

    private final RedisLink target;
    private final byte[] key;
    private final byte[] fence;
    /** This store's attempt token; 0 until taken. */
    private long token;
    /**
     * Whether a standalone target saves by the fenced script, one round trip: null until the first save asks; false
     * where the store has no EVAL (Pika) or the user may not run it, which then saves under WATCH, two round trips.
     */
    private Boolean scripted;

    /**
     * @param target a connection of its own to the target (saves are synchronous)
     * @param id     names the migration and the part of it (for example its UID and the source name)
     */
    public TargetCheckpointStore(RedisLink target, String id) {
        this.target = target;
        this.key = keyFor(id).getBytes(StandardCharsets.UTF_8);
        this.fence = (keyFor(id) + ":fence").getBytes(StandardCharsets.UTF_8);
    }

    /** The attempt token this store holds: taken on first use, higher than any taken before it on this id. */
    long token() {
        if (token == 0) {
            token = target.call(target.async().incr(fence));
        }
        return token;
    }

    /** The state key of an id: in braces, so a Redis Cluster keeps it in one slot whatever the id holds. */
    public static String keyFor(String id) {
        return KEY_PREFIX + "{" + id + "}";
    }

    /**
     * Removes the state of these ids from the target (each one's key and its fence): a finished migration leaves
     * nothing of KeyFerry's where the application reads.
     *
     * @return how many keys were removed
     */
    public static long remove(RedisLink target, java.util.List<String> ids) {
        Pipe pipe = target.pipe();
        for (String id : ids) {
            byte[] key = keyFor(id).getBytes(StandardCharsets.UTF_8);
            pipe.send(Cmd.DEL, key);
            pipe.send(Cmd.DEL, (keyFor(id) + ":fence").getBytes(StandardCharsets.UTF_8));
        }
        long removed = 0;
        for (Object reply : pipe.sync()) {
            removed += reply instanceof Long n ? n : 0;
        }
        return removed;
    }

    @Override
    public Optional<Checkpoint> load() {
        token();
        byte[] json = target.call(target.async().get(key));
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Checkpoint.JSON.readValue(json, Checkpoint.class));
        } catch (IOException e) {
            throw new MigrationInputException("the checkpoint " + new String(key, StandardCharsets.UTF_8) + " in "
                    + target.label() + " is unreadable (" + e.getMessage() + "); delete that key to copy from the beginning", e);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) {
        byte[] json;
        try {
            json = Checkpoint.JSON.writeValueAsBytes(checkpoint);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the checkpoint: " + e.getMessage(), e);
        }
        long newer = target.cluster() != null ? saveByScript(json) : saveStandalone(json);
        if (newer > 0) {
            throw new CopyFailedException("another worker took over this copy: its checkpoint " + new String(key,
                    StandardCharsets.UTF_8) + " in " + target.label() + " is held by attempt token " + newer + ", this worker"
                    + " has " + token + "; it stops so that the two never interleave their checkpoints (the newer one"
                    + " carries on from its own)");
        }
    }

    /**
     * The fenced save as one script over the target's pipe, where the store runs it: the save is on the copy's writing
     * thread, before every batch, so its round trips are the batch's; under WATCH it takes two.
     *
     * @return 0 once saved, or the newer token that holds the checkpoint
     */
    private long saveStandalone(byte[] json) {
        if (!Boolean.FALSE.equals(scripted)) {
            Pipe pipe = target.pipe();
            Object reply = Resp.call(pipe, Cmd.EVAL, FENCED_SAVE_SCRIPT, TWO_KEYS, fence, key,
                    Long.toString(token()).getBytes(StandardCharsets.US_ASCII), json);
            if (reply instanceof Long newer) {
                scripted = true;
                return newer;
            }
            if (!(reply instanceof Resp.Error)) {
                throw new CopyFailedException(target.label() + " answered the save of the checkpoint "
                        + new String(key, StandardCharsets.UTF_8) + " with " + Resp.describe(reply)
                        + ", which its script never returns; run again to resume");
            }
            // No EVAL (Pika), a user not allowed it or a command of the script's: the transaction does the same, and
            // where a command of it is refused too, its error names that command.
            scripted = false;
        }
        return saveByWatch(json);
    }

    /** @return 0 once saved, or the newer token that holds the checkpoint */
    private long saveByWatch(byte[] json) {
        while (true) {
            WatchedWrite.Outcome o = WatchedWrite.setIf(target.pipe(), fence, v -> holder(v) <= token(), key, json);
            if (o.written()) {
                return 0;
            }
            if (holder(o.found()) > token()) {
                return holder(o.found());
            }
            // a token was taken between the read and the save: look again
        }
    }

    private static long holder(byte[] fenceValue) {
        return fenceValue == null ? 0 : Long.parseLong(new String(fenceValue, StandardCharsets.US_ASCII));
    }

    private long saveByScript(byte[] json) {
        Long newer = target.call(target.async().eval(FENCED_SAVE, ScriptOutputType.INTEGER, new byte[][] {fence, key},
                Long.toString(token()).getBytes(StandardCharsets.US_ASCII), json));
        return newer;
    }

    @Override
    public void clear() {
        target.call(target.async().del(key));
    }

    @Override
    public void close() {
        target.close();
    }
}
