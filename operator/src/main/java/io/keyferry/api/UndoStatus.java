package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The undo journal (kept or not, its size) and an abort's progress and result, as the workers last reported them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UndoStatus(
        @JsonPropertyDescription("Whether this migration keeps an undo journal, as its copy workers reported:"
                + " spec.undo.enabled, or where it is unset, whether the target held keys when the first copy worker"
                + " asked (decided once for the migration, kept beside the journal).")
        Boolean enabled,
        @JsonPropertyDescription("Bytes of the journal, as the copy workers or the abort's undo worker last reported it.")
        Long bytes,
        @JsonPropertyDescription("While aborting: journal segments put back so far.")
        Long segmentsDone,
        @JsonPropertyDescription("While aborting: journal segments in all.")
        Long segments,
        @JsonPropertyDescription("Keys given their prior value and TTL back by the abort.")
        Long keysRestored,
        @JsonPropertyDescription("Keys the migration had created, deleted by the abort (or whose prior expiry passed).")
        Long keysDeleted,
        @JsonPropertyDescription("Keys checked against the journal after the abort.")
        Long keysChecked,
        @JsonPropertyDescription("Keys that still differ from their prior state after the abort.")
        Long keysDiffering,
        @JsonPropertyDescription("With spec.undo.retainSeconds, once the migration finished: when the journal is due to be"
                + " removed (the finish plus retainSeconds).")
        String retainedUntil,
        @JsonPropertyDescription("When the journal was removed from its store after spec.undo.retainSeconds; an abort is"
                + " refused from then on.")
        String removedAt) {

    /** This status with the journal's retention as given. */
    public UndoStatus withRetention(String until, String removed) {
        return new UndoStatus(enabled, bytes, segmentsDone, segments, keysRestored, keysDeleted, keysChecked, keysDiffering,
                until, removed);
    }
}
