package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The copy's progress over all sources, folded from the workers' reports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressStatus(
        @JsonPropertyDescription("Share of the copy done, 0 to 100 with one decimal; 100 only once every source is copied.")
        Double percent,
        @JsonPropertyDescription("Keys read from the sources so far.")
        Long keysScanned,
        @JsonPropertyDescription("Keys that changed the target: copied into an absent key, overwritten, merged or filled.")
        Long keysWritten,
        @JsonPropertyDescription("Keys left untouched: by the Skip policy, or because the target held another type"
                + " (`typeMismatch: Skip`).")
        Long keysSkipped,
        @JsonPropertyDescription("Keys merged or filled into an existing target key (also counted in `keysWritten`).")
        Long keysMerged,
        @JsonPropertyDescription("Keys of a type KeyFerry cannot copy (module types); not copied.")
        Long keysFailed,
        @JsonPropertyDescription("Bytes of key data written to the target.")
        Long bytesWritten,
        @JsonPropertyDescription("Keys scanned per second, summed over the workers copying now.")
        Long keysPerSecond,
        @JsonPropertyDescription("Estimated seconds until the copy is done; absent when no worker is copying.")
        Long etaSeconds) {}
