package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class VerifySpec {
    private VerifyMode mode = VerifyMode.FULL;
    @JsonPropertyDescription("With mode Sample: the share of keys checked, 0 < percent <= 100.")
    private Double percent;
    @JsonPropertyDescription("How many times a mismatching key is re-checked before it is reported.")
    private Integer rounds = 3;

    public VerifyMode getMode() { return mode; }
    public void setMode(VerifyMode mode) { this.mode = mode; }
    public Double getPercent() { return percent; }
    public void setPercent(Double percent) { this.percent = percent; }
    public Integer getRounds() { return rounds; }
    public void setRounds(Integer rounds) { this.rounds = rounds; }
}
