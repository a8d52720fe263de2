package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

public class CutoverSpec {
    @JsonPropertyDescription("The routing flag the application reads.")
    @Required
    private FlagSpec flag;
    @JsonPropertyDescription("Verification must be at least this clean before ReadTarget.")
    @Min(0)
    private Integer maxMismatches = 0;

    public FlagSpec getFlag() { return flag; }
    public void setFlag(FlagSpec flag) { this.flag = flag; }
    public Integer getMaxMismatches() { return maxMismatches; }
    public void setMaxMismatches(Integer maxMismatches) { this.maxMismatches = maxMismatches; }
}
