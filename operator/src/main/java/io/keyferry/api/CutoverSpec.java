package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

public class CutoverSpec {
    @JsonPropertyDescription("The routing flag the application reads.")
    @Required
    private FlagSpec flag;
    @JsonPropertyDescription("Verification must be at least this clean before ReadTarget.")
    @Min(0)
    @Default("0")
    private Integer maxMismatches = 0;

    @JsonPropertyDescription("While DualWrite is in force and the last verification found more differences than"
            + " maxMismatches, verify again after this many seconds.")
    @Min(1)
    @Default("300")
    private Integer reverifySeconds = 300;

    @JsonPropertyDescription("With spec.sync.mode Continuous: ReadTarget also waits until every source's sync lag is below"
            + " this many seconds.")
    @Min(1)
    @Default("1")
    private Integer maxLagSeconds = 1;

    @JsonPropertyDescription("Entering TargetOnly starts a reverse sync: the target's changes (PSYNC for Redis, POLLUPDATES"
            + " for Kvrocks) are applied to the first source under Overwrite, and a rollback to DualWrite waits until the"
            + " first source holds every write the target took before the rollback was asked, with a lag below"
            + " maxLagSeconds. A target without change capture (Pika) is not followed: a rollback from TargetOnly first"
            + " copies and verifies the first source's key range from the target with repair (a full reverse diff, keys"
            + " the target no longer has deleted). Not for a first source with keys.addPrefix.")
    @Default("false")
    private Boolean reverseSync = false;

    public Boolean getReverseSync() { return reverseSync; }
    public void setReverseSync(Boolean reverseSync) { this.reverseSync = reverseSync; }
    /** Whether spec.cutover.reverseSync is true. */
    public boolean reverseSyncOn() { return Boolean.TRUE.equals(reverseSync); }
    public Integer getMaxLagSeconds() { return maxLagSeconds; }
    public void setMaxLagSeconds(Integer maxLagSeconds) { this.maxLagSeconds = maxLagSeconds; }
    public Integer getReverifySeconds() { return reverifySeconds; }
    public void setReverifySeconds(Integer reverifySeconds) { this.reverifySeconds = reverifySeconds; }
    public FlagSpec getFlag() { return flag; }
    public void setFlag(FlagSpec flag) { this.flag = flag; }
    public Integer getMaxMismatches() { return maxMismatches; }
    public void setMaxMismatches(Integer maxMismatches) { this.maxMismatches = maxMismatches; }
}
