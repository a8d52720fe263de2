package io.keyferry.api;

public class TargetSpec {
    private EndpointSpec endpoint;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
}
