package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/** The undo journal: every target key's state before the migration first changed it, so the migration can be undone. */
public class UndoSpec {
    @JsonPropertyDescription("Record every target key's prior state before the copy first changes it (keyferry undo puts"
            + " it back). Unset: on when the target held keys at the first probe, off for an empty target.")
    private Boolean enabled;
    @JsonPropertyDescription("Keep the journal in this store instead of where the checkpoint is (the target, or the"
            + " state directory of keyferry run).")
    private EndpointSpec store;
    @JsonPropertyDescription("The journal's largest size in bytes: a batch that would grow it past this stops the copy"
            + " before it writes (exit 3 / Stalled). Unset: no limit.")
    @Min(1)
    private Long maxBytes;
    @JsonPropertyDescription("How long the journal is kept after the migration finished, in seconds, before the"
            + " operator removes it. Unset: kept until the resource is deleted.")
    @Min(0)
    private Long retainSeconds;

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public EndpointSpec getStore() { return store; }
    public void setStore(EndpointSpec store) { this.store = store; }
    public Long getMaxBytes() { return maxBytes; }
    public void setMaxBytes(Long maxBytes) { this.maxBytes = maxBytes; }
    public Long getRetainSeconds() { return retainSeconds; }
    public void setRetainSeconds(Long retainSeconds) { this.retainSeconds = retainSeconds; }
}
