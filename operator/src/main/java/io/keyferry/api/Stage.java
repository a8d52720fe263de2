package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a migration's data path stands (status.stage). */
public enum Stage {
    @JsonProperty("Pending") PENDING,
    @JsonProperty("Probing") PROBING,
    @JsonProperty("Copying") COPYING,
    @JsonProperty("Verifying") VERIFYING,
    @JsonProperty("Verified") VERIFIED,
    @JsonProperty("Failed") FAILED
}
