package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum VerifyMode {
    @JsonProperty("Full") FULL,
    @JsonProperty("Sample") SAMPLE,
    @JsonProperty("Off") OFF
}
