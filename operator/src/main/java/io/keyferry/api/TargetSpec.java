package io.keyferry.api;

import io.fabric8.generator.annotation.Required;
public class TargetSpec {
    @Required
    private EndpointSpec endpoint;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
}
