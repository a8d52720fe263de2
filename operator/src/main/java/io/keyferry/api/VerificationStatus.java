package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The last verification: its round, counts, and a few keys that differ with the reason. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerificationStatus(
        @JsonPropertyDescription("Which verification run of the current attempt this is: 1, then one more for every"
                + " re-verification.")
        Integer round,
        @JsonPropertyDescription("Keys compared.")
        Long keysChecked,
        @JsonPropertyDescription("Keys whose value or TTL differs from what the sources and policies say it should be.")
        Long mismatches,
        @JsonPropertyDescription("Keys absent from the target that should be there.")
        Long missing,
        @JsonPropertyDescription("Up to 10 keys that still differ after the last round.")
        List<Sample> samples) {
    public record Sample(
            @JsonPropertyDescription("The key's name in the target (non-UTF-8 bytes escaped).")
            String key,
            @JsonPropertyDescription("How it differs.")
            String reason) {}
}
