package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where a source's sync worker stands (spec.sync.mode Continuous), as its last report said. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncStatus(
        @JsonPropertyDescription("Seconds behind: the age of the oldest change of the source not applied to the target yet"
                + " (0 when every change read is applied).")
        Double lagSeconds,
        @JsonPropertyDescription("How far the source's own position is ahead of the applied one: bytes of a Redis"
                + " replication stream, records of a Kvrocks write-ahead log.")
        Long changesBehind,
        @JsonPropertyDescription("The last applied position (`replid:offset` for Redis, `kvrocks-wal:sequence` for"
                + " Kvrocks); saved in the target, a restarted sync worker resumes from it.")
        String position,
        @JsonPropertyDescription("When changes were last applied, as an RFC 3339 time; absent before the first.")
        String lastAppliedAt,
        @JsonPropertyDescription("Times the source's changes since the saved position were no longer available (a Redis"
                + " backlog overwritten, a Kvrocks write-ahead log recycled, no position saved), so the target was verified"
                + " with repair before the sync went on; absent when never.")
        Long rescans,
        @JsonPropertyDescription("True while such a verification with repair runs: the lag is not known until it ends.")
        Boolean rescanning) {
    public SyncStatus(Double lagSeconds, Long changesBehind, String position, String lastAppliedAt) {
        this(lagSeconds, changesBehind, position, lastAppliedAt, null, null);
    }
}
