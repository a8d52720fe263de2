package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Cutover phases (shared/DESIGN.md section 4), in ladder order; then Aborted, which is no rung. */
public enum Phase {
    @JsonProperty("SourceOnly") SOURCE_ONLY,
    @JsonProperty("DualWrite") DUAL_WRITE,
    @JsonProperty("ReadTarget") READ_TARGET,
    @JsonProperty("TargetOnly") TARGET_ONLY,
    /** Not a rung: the target put back from the undo journal, the flag at SourceOnly (1100). */
    @JsonProperty("Aborted") ABORTED
}
