package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the sources are copied once, or followed after their backfill until the cutover ends (live sync). */
public enum SyncMode {
    @JsonProperty("Once") ONCE,
    @JsonProperty("Continuous") CONTINUOUS
}
