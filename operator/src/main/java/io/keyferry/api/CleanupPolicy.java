package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to KeyFerry's own keys in the target when a DataMigration is deleted (spec.cleanup). */
public enum CleanupPolicy {
    /** They stay (a clean verification has already removed the copy checkpoints). */
    @JsonProperty("Keep") KEEP,
    /** A finalizer removes every one of them before the DataMigration goes. */
    @JsonProperty("Delete") DELETE
}
