package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class SourceSpec {
    @JsonPropertyDescription("Unique name of this source; used in status, checkpoints and reports.")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    private String name;
    @JsonPropertyDescription("Where the source store is and how to log in.")
    @Required
    private EndpointSpec endpoint;
    @JsonPropertyDescription("Which keys of this source are migrated, and under which name.")
    private KeySelector keys = new KeySelector();
    /**
     * Set in-process only, on a reverse sync's source (the target turned around): KeyFerry's own state keys there
     * (checkpoints, follow positions, undo journals) are not copied back. Not part of the manifest or the CRD.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    private boolean stateKeysLeftOut;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
    public KeySelector getKeys() { return keys; }
    public void setKeys(KeySelector keys) { this.keys = keys; }
    public boolean stateKeysLeftOut() { return stateKeysLeftOut; }
    public void leaveStateKeysOut() { this.stateKeysLeftOut = true; }
}
