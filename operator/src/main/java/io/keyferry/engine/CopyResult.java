package io.keyferry.engine;

import io.keyferry.engine.copy.Counters;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a finished copy.
 *
 * @param perSource   counters of each source, in list order
 * @param unsupported keys not copied because of their type (the first thousand)
 * @param elapsedMillis time this run took (a resumed run counts only its own part)
 * @param targetPauses  times this run paused because the target's writes had slowed down (TargetBackoff)
 * @param targetPausedNanos how long those pauses were, in all
 * @param undo          the undo journal's size (spec.undo), or null where the copy keeps none
 */
public record CopyResult(Counters total, Map<String, Counters> perSource, long keysScanned, List<String> unsupported,
                         long elapsedMillis, String startedAt, String finishedAt, long targetPauses, long targetPausedNanos,
                         UndoSize undo) {
    /** The undo journal: keys recorded and its bytes. */
    public record UndoSize(long keys, long bytes) {}
}
