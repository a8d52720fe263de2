package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which server of a source KeyFerry reads from. */
public enum ReadFrom {
    /** The server the URI names. */
    @JsonProperty("Primary") PRIMARY,
    /**
     * An online replica of the server the URI names (found through INFO replication), so the production
     * primary carries only its own traffic. A replica may lag behind its primary by a little.
     */
    @JsonProperty("Replica") REPLICA
}
