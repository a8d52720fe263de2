package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
public class TargetSpec {
    @JsonPropertyDescription("Where the target store is and how to log in.")
    @Required
    private EndpointSpec endpoint;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
}
