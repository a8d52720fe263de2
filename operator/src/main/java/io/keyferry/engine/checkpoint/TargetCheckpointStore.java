package io.keyferry.engine.checkpoint;

import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.redis.RedisLink;
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
 */
public final class TargetCheckpointStore implements CheckpointStore {
    public static final String KEY_PREFIX = "keyferry:checkpoint:";

    private final RedisLink target;
    private final byte[] key;

    /**
     * @param target a connection of its own to the target (saves are synchronous)
     * @param id     names the migration and the part of it (for example its UID and the source name)
     */
    public TargetCheckpointStore(RedisLink target, String id) {
        this.target = target;
        this.key = keyFor(id).getBytes(StandardCharsets.UTF_8);
    }

    /** The state key of an id: in braces, so a Redis Cluster keeps it in one slot whatever the id holds. */
    public static String keyFor(String id) {
        return KEY_PREFIX + "{" + id + "}";
    }

    @Override
    public Optional<Checkpoint> load() {
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
        target.call(target.async().set(key, json));
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
