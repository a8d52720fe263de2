package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happens to a key that already exists in the target with the same type
 * (shared/DESIGN.md section 3.1). A key absent from the target is always copied.
 */
public enum Policy {
    /** The target key becomes an exact copy of the source key (value, elements, TTL). */
    @JsonProperty("Overwrite") OVERWRITE("Overwrite"),
    /** Source elements are added; on the same field or member the source wins; lists get the source appended. */
    @JsonProperty("Merge") MERGE("Merge"),
    /** Only what the target lacks is added; strings and lists are left as they are. */
    @JsonProperty("Fill") FILL("Fill"),
    /** The target key is left untouched. */
    @JsonProperty("Skip") SKIP("Skip");

    private final String manifestName;

    Policy(String manifestName) { this.manifestName = manifestName; }

    public String manifestName() { return manifestName; }

    /** Whether this policy is meaningful for the type; Merge of two strings has no defined result. */
    public boolean appliesTo(DataType type) {
        return !(this == MERGE && type == DataType.STRING);
    }
}
