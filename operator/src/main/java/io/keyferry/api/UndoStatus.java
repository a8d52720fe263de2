package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An abort's progress and result (spec.phase Aborted, spec.abort), as its undo worker last reported them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UndoStatus(
        @JsonPropertyDescription("Bytes of the journal, as the abort's undo worker found it.")
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
        Long keysDiffering) {}
