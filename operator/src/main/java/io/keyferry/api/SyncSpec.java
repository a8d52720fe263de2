package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Live sync: after its backfill each source's changes are followed and applied to the target under the policies. */
public class SyncSpec {
    @JsonPropertyDescription("Once copies each source once (the backfill); Continuous then follows every source's changes"
            + " (Redis through PSYNC, Kvrocks through POLLUPDATES; a cluster's masters each) with one long-running sync Job"
            + " per source, until TargetOnly has been in force for stopAfterSeconds, sync is set back to Once, or the"
            + " migration is deleted. A Pika source cannot be followed (its probe refuses it).")
    @Default("Once")
    private SyncMode mode = SyncMode.ONCE;
    @JsonPropertyDescription("With Continuous: the sync Jobs are stopped once TargetOnly has been in force this many seconds"
            + " (the writes the application made to the old store before it moved have reached the new one by then).")
    @Min(0)
    @Default("300")
    private Integer stopAfterSeconds = 300;

    public SyncMode getMode() { return mode; }
    public void setMode(SyncMode mode) { this.mode = mode; }
    public Integer getStopAfterSeconds() { return stopAfterSeconds; }
    public void setStopAfterSeconds(Integer stopAfterSeconds) { this.stopAfterSeconds = stopAfterSeconds; }

    /** Whether the sources are followed after their backfill. */
    public boolean continuous() {
        return mode == SyncMode.CONTINUOUS;
    }
}
