package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
public class FlagSpec {
    @JsonPropertyDescription("The store that holds the flag.")
    @Required
    private EndpointSpec endpoint;
    @JsonPropertyDescription("The key that holds the four-character flag, e.g. `migrate_user`.")
    @Required
    @Size(min = 1)
    private String key;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
}
