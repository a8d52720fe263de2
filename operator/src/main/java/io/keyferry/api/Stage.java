package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a migration's data path stands (status.stage). */
public enum Stage {
    @JsonProperty("Pending") PENDING,
    @JsonProperty("Probing") PROBING,
    @JsonProperty("Copying") COPYING,
    @JsonProperty("Verifying") VERIFYING,
    @JsonProperty("Verified") VERIFIED,
    @JsonProperty("Failed") FAILED,
    /** spec.phase Aborted or spec.abort: the workers stop and the target is put back from the undo journal. */
    @JsonProperty("Aborting") ABORTING,
    /** The target is as it was before the migration (checked against the journal); nothing runs any more. */
    @JsonProperty("Aborted") ABORTED
}
