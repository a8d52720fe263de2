package io.keyferry.engine.checkpoint;

import java.util.Optional;

/** Where a copy keeps its checkpoint: a state directory locally, an object in the cluster for a worker. */
public interface CheckpointStore extends AutoCloseable {
    Optional<Checkpoint> load();

    /** Persists the checkpoint so that a process killed right after this returns resumes from it. */
    void save(Checkpoint checkpoint);

    /** Forgets any saved state. */
    void clear();

    @Override
    default void close() {}

    /** Opens a store once the target is known to be good; it may keep the state in the target. */
    interface Factory {
        CheckpointStore open(java.util.function.Supplier<io.keyferry.engine.redis.RedisLink> newTargetConnection);
    }
}
