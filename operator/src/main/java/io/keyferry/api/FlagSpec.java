package io.keyferry.api;

public class FlagSpec {
    private EndpointSpec endpoint;
    private String key;

    public EndpointSpec getEndpoint() { return endpoint; }
    public void setEndpoint(EndpointSpec endpoint) { this.endpoint = endpoint; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
}
