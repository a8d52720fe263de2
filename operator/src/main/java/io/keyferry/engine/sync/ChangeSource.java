package io.keyferry.engine.sync;

/**
 * A followed source's changes as they come, whatever carries them (a Redis replication stream, a Kvrocks write-ahead
 * log): what each did to the followed keys, and the position the source stands at once it is applied.
 */
interface ChangeSource extends AutoCloseable {
    /** What one change did, and the source's position after it. */
    record Changed(ChangedKeys.Effect effect, Position position) {}

    /** Where the changes begin: the position asked for when the source continued from it, the source's own otherwise. */
    Position start();

    /** Whether the source continued from the position asked for (false: what changed since is not known). */
    boolean resumed();

    /**
     * The next change, waiting at most about {@code millis}; null when none came meanwhile.
     *
     * @throws IllegalStateException when the changes cannot be read on (the connection was lost, the source no longer
     *                               holds the next one): the follower opens them again from its last position
     */
    Changed next(long millis) throws InterruptedException;

    @Override
    void close();
}
