package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where a store is and how to log in; credentials only through secret references. */
public class EndpointSpec {
    @JsonPropertyDescription("redis://host:port/db or rediss://host:port/db (TLS).")
    @Required
    @Pattern("^rediss?://")
    private String uri;
    @JsonPropertyDescription("ACL user name, read from a Secret.")
    private SecretKeyRef usernameSecretRef;
    @JsonPropertyDescription("Password, read from a Secret.")
    private SecretKeyRef passwordSecretRef;
    @JsonPropertyDescription("TLS settings; only with a rediss:// URI.")
    private TlsSpec tls;
    @JsonPropertyDescription("The endpoint is a Redis Cluster.")
    private Boolean cluster;
    @JsonPropertyDescription("Sources only: read from an online replica of this server (Replica) instead of the server itself (Primary, the default).")
    private ReadFrom readFrom;

    public String getUri() { return uri; }
    public void setUri(String uri) { this.uri = uri; }
    public SecretKeyRef getUsernameSecretRef() { return usernameSecretRef; }
    public void setUsernameSecretRef(SecretKeyRef usernameSecretRef) { this.usernameSecretRef = usernameSecretRef; }
    public SecretKeyRef getPasswordSecretRef() { return passwordSecretRef; }
    public void setPasswordSecretRef(SecretKeyRef passwordSecretRef) { this.passwordSecretRef = passwordSecretRef; }
    public TlsSpec getTls() { return tls; }
    public void setTls(TlsSpec tls) { this.tls = tls; }
    public Boolean getCluster() { return cluster; }
    public void setCluster(Boolean cluster) { this.cluster = cluster; }

    public ReadFrom getReadFrom() { return readFrom; }
    public void setReadFrom(ReadFrom readFrom) { this.readFrom = readFrom; }

    /** The same endpoint at another URI (a replica): same credentials, same TLS settings. */
    public EndpointSpec at(String otherUri) {
        EndpointSpec e = new EndpointSpec();
        e.uri = otherUri;
        e.usernameSecretRef = usernameSecretRef;
        e.passwordSecretRef = passwordSecretRef;
        e.tls = tls;
        e.cluster = cluster;
        return e;
    }

    /** Not a bean getter on purpose: the property is {@code cluster}, read through getCluster(). */
    public boolean clusterEnabled() { return Boolean.TRUE.equals(cluster); }
}
