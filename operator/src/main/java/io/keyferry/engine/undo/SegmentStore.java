package io.keyferry.engine.undo;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the undo journal's segments are kept, in the order they were appended, and how far an undo got. A segment
 * {@link #append}ed is durable when the call returns: a process killed right after it still has it.
 */
public interface SegmentStore extends AutoCloseable {
    /** Appends one segment durably. */
    void append(byte[] segment);

    /** Every segment, in order; a segment cut short by a kill while it was appended is not among them. */
    void forEach(Consumer<byte[]> segment);

    /** Bytes of every segment appended. */
    long bytes();

    /** How many segments there are (at most: a number taken by a writer killed before it wrote may be counted). */
    default long count() {
        long[] n = {0};
        forEach(segment -> n[0]++);
        return n[0];
    }

    /** How far an undo got (see {@link Undo}), if one ran. */
    Optional<String> progress();

    /** Saves an undo's progress durably. */
    void saveProgress(String progress);

    /** Removes the journal and the undo's progress (not the undone marker). */
    void clear();

    /**
     * Records durably that an undo put the target back and checked it ({@code summary} says what it did), before the
     * journal is removed: an undo that finds no journal but this marker knows its work was done. A store that keeps no
     * marker (a state directory) ignores it.
     */
    default void markUndone(String summary) {}

    /** The summary of {@link #markUndone}, if an undo finished here and the marker was not removed yet. */
    default Optional<String> undone() {
        return Optional.empty();
    }

    @Override
    default void close() {}
}
