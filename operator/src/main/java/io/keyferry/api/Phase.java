package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Cutover phases (shared/DESIGN.md section 4), in ladder order. */
public enum Phase {
    @JsonProperty("SourceOnly") SOURCE_ONLY,
    @JsonProperty("DualWrite") DUAL_WRITE,
    @JsonProperty("ReadTarget") READ_TARGET,
    @JsonProperty("TargetOnly") TARGET_ONLY
}
