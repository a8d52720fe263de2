package io.keyferry.engine.undo;

import java.util.List;

/**
 * An undo: keys put back as they were, keys the migration created that were deleted, keys whose prior expiry passed
 * meanwhile (deleted, as they would be by now), and the check of the target against the journal afterwards.
 *
 * @param mismatches keys that still differ from their prior state after the undo, as "key: reason" (the first 100)
 */
public record UndoResult(long restored, long deleted, long expired, long segments, long checked, long mismatched,
                         List<String> mismatches, long elapsedMillis) {
    public boolean clean() {
        return mismatched == 0;
    }
}
