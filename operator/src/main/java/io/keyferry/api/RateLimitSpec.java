package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class RateLimitSpec {
    @JsonPropertyDescription("Keys copied per second per source; 0 means unlimited.")
    @Min(0)
    @Default("0")
    private Integer keysPerSecond = 0;

    @JsonPropertyDescription("Commands per second sent to each source (SCAN, TYPE, PTTL, reads), over all its workers;"
            + " 0 means unlimited.")
    @Min(0)
    @Default("0")
    private Integer sourceOpsPerSecond = 0;

    public Integer getSourceOpsPerSecond() { return sourceOpsPerSecond; }
    public void setSourceOpsPerSecond(Integer sourceOpsPerSecond) { this.sourceOpsPerSecond = sourceOpsPerSecond; }
    public Integer getKeysPerSecond() { return keysPerSecond; }
    public void setKeysPerSecond(Integer keysPerSecond) { this.keysPerSecond = keysPerSecond; }
}
