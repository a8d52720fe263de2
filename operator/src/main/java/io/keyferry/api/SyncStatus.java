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
        String lastAppliedAt) {}
