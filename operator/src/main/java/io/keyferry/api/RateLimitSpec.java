package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

public class RateLimitSpec {
    @JsonPropertyDescription("Keys copied per second per source; 0 means unlimited.")
    @Min(0)
    private Integer keysPerSecond = 0;

    public Integer getKeysPerSecond() { return keysPerSecond; }
    public void setKeysPerSecond(Integer keysPerSecond) { this.keysPerSecond = keysPerSecond; }
}
