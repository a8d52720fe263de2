package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens when the target key exists with another type than the source key. */
public enum TypeMismatchPolicy {
    @JsonProperty("Skip") SKIP,
    @JsonProperty("Overwrite") OVERWRITE,
    @JsonProperty("Fail") FAIL
}
