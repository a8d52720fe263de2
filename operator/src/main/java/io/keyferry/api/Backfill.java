package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a source's keys are first copied: by SCAN, key by key under the policies, or from the source's RDB snapshot
 * (a Redis source read as a replica, every key RESTOREd with its snapshot bytes), where that gives the same result.
 */
public enum Backfill {
    @JsonProperty("Scan") SCAN,
    @JsonProperty("Snapshot") SNAPSHOT
}
