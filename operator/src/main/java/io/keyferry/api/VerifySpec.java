package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

public class VerifySpec {
    @JsonPropertyDescription("Full checks every copied key (value and TTL) against its sources, Sample a share of them"
            + " (`percent`), Off none.")
    @Default("Full")
    private VerifyMode mode = VerifyMode.FULL;
    @JsonPropertyDescription("With mode Sample: the share of keys checked, 0 < percent <= 100.")
    @Min(value = 0, inclusive = false)
    @Max(100)
    private Double percent;
    @JsonPropertyDescription("How many times a mismatching key is re-checked before it is reported.")
    @Min(1)
    @Default("3")
    private Integer rounds = 3;
    @JsonPropertyDescription("How far a target key's TTL may be from the one it should have, in milliseconds.")
    @Min(0)
    @Default("2000")
    private Integer ttlToleranceMs = 2000;
    @JsonPropertyDescription("Pause between two verification rounds, so writes in flight can land.")
    @Min(0)
    @Default("2")
    private Integer roundPauseSeconds = 2;
    @JsonPropertyDescription("Copy keys that still differ after every round again, under the policy, and re-check them."
            + " Off unless set, except while DualWrite is in force, where each round repairs unless set to false.")
    private Boolean repair;

    public VerifyMode getMode() { return mode; }
    public void setMode(VerifyMode mode) { this.mode = mode; }
    public Double getPercent() { return percent; }
    public void setPercent(Double percent) { this.percent = percent; }
    public Integer getRounds() { return rounds; }
    public void setRounds(Integer rounds) { this.rounds = rounds; }
    public Integer getTtlToleranceMs() { return ttlToleranceMs; }
    public void setTtlToleranceMs(Integer ttlToleranceMs) { this.ttlToleranceMs = ttlToleranceMs; }
    public Integer getRoundPauseSeconds() { return roundPauseSeconds; }
    public void setRoundPauseSeconds(Integer roundPauseSeconds) { this.roundPauseSeconds = roundPauseSeconds; }
    public Boolean getRepair() { return repair; }
    public void setRepair(Boolean repair) { this.repair = repair; }
}
