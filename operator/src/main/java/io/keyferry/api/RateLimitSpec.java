package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class RateLimitSpec {
    @JsonPropertyDescription("Keys copied per second per source; 0 means unlimited.")
    private Integer keysPerSecond = 0;

    public Integer getKeysPerSecond() { return keysPerSecond; }
    public void setKeysPerSecond(Integer keysPerSecond) { this.keysPerSecond = keysPerSecond; }
}
