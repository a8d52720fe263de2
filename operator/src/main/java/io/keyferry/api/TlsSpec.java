package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** TLS settings of an endpoint; the server certificate is verified unless insecureSkipVerify is spelled out. */
public class TlsSpec {
    @JsonPropertyDescription("PEM CA bundle that signed the server certificate (default: the JVM trust store).")
    private SecretKeyRef caSecretRef;
    @JsonPropertyDescription("Name expected in the server certificate, when it differs from the URI host.")
    private String serverName;
    @JsonPropertyDescription("Do not verify the server certificate. Only for tests.")
    private Boolean insecureSkipVerify;

    public SecretKeyRef getCaSecretRef() { return caSecretRef; }
    public void setCaSecretRef(SecretKeyRef caSecretRef) { this.caSecretRef = caSecretRef; }
    public String getServerName() { return serverName; }
    public void setServerName(String serverName) { this.serverName = serverName; }
    public Boolean getInsecureSkipVerify() { return insecureSkipVerify; }
    public void setInsecureSkipVerify(Boolean insecureSkipVerify) { this.insecureSkipVerify = insecureSkipVerify; }

    public boolean skipVerify() { return Boolean.TRUE.equals(insecureSkipVerify); }
}
