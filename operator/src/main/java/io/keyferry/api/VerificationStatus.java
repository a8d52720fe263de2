package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The last verification: its round, counts, and a few keys that differ with the reason. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerificationStatus(Integer round, Long keysChecked, Long mismatches, Long missing, List<Sample> samples) {
    public record Sample(String key, String reason) {}
}
