package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the reverse sync (spec.cutover.reverseSync) of the target into the first source stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReverseSyncStatus(
        @JsonPropertyDescription("Seconds behind: the age of the oldest change of the target not applied to the first"
                + " source yet; absent while its worker has not reported, or verifies the first source with repair.")
        Double lagSeconds,
        @JsonPropertyDescription("How far the target's own position is ahead of the applied one: bytes of a Redis"
                + " replication stream, records of a Kvrocks write-ahead log.")
        Long changesBehind,
        @JsonPropertyDescription("The last applied position of the target (`replid:offset`, `kvrocks-wal:sequence`); saved"
                + " in the first source as keyferry:checkpoint:{<uid>:reverse:follow}.")
        String position,
        @JsonPropertyDescription("The latest time (RFC 3339) before which every write the target took is known to be in"
                + " the first source.")
        String caughtUpAt,
        @JsonPropertyDescription("When a rollback from TargetOnly was first asked (RFC 3339): the flag moves back only"
                + " once caughtUpAt is later than this and lagSeconds is below spec.cutover.maxLagSeconds.")
        String rollbackAskedAt,
        @JsonPropertyDescription("Why the reverse sync stopped and is not restarted (a target that cannot be followed,"
                + " say); absent while it runs.")
        String lastError) {
}
