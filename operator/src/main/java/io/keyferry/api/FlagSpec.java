package io.keyferry.api;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
public class FlagSpec {
    @Required
    private EndpointSpec endpoint;
    @Required
    @Size(min = 1)
    private String key;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
}
