package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens when the target key exists with another type than the source key. */
public enum TypeMismatchPolicy {
    @JsonProperty("Skip") SKIP("Skip"),
    @JsonProperty("Overwrite") OVERWRITE("Overwrite"),
    @JsonProperty("Fail") FAIL("Fail");

    private final String manifestName;

    TypeMismatchPolicy(String manifestName) { this.manifestName = manifestName; }

    public String manifestName() { return manifestName; }
}
