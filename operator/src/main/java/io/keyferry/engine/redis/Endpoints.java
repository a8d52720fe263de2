package io.keyferry.engine.redis;

import io.keyferry.api.EndpointSpec;
import io.keyferry.api.EndpointUri;
import io.keyferry.api.TlsSpec;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.protocol.ProtocolVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Opens connections to the endpoints of a manifest, resolving credentials through secret references.
 * All its connections share one set of I/O threads, released by {@link #close()}.
 */
public final class Endpoints implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final SecretResolver secrets;
    private final ClientResources resources = DefaultClientResources.create();

    public Endpoints(SecretResolver secrets) {
        this.secrets = secrets;
    }

    @Override
    public void close() {
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * @param spec the endpoint from the manifest
     * @param fieldPath where it stands in the manifest (spec.sources[0].endpoint)
     * @param role how reports name it ("source pika-0", "target")
     */
    public RedisLink connect(EndpointSpec spec, String fieldPath, String role) {
        EndpointUri uri = EndpointUri.parse(spec.getUri());
        String label = role + " (" + spec.getUri().strip() + ")";
        RedisURI redisUri = redisUri(spec, uri, fieldPath);
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(clientOptions(spec.getTls(), uri, fieldPath));
        try {
            return new RedisLink(label, client, client.connect(ByteArrayCodec.INSTANCE));
        } catch (RedisConnectionException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            if (causedBy(e, javax.net.ssl.SSLException.class) || causedBy(e, java.security.cert.CertificateException.class)) {
                throw new MigrationInputException(label + " at " + fieldPath + ": the TLS handshake failed: " + rootMessage(e)
                        + "; check tls.caSecretRef (the CA that signed the server's certificate) and tls.serverName"
                        + " (the name the certificate is for, when it is not the URI's host)", e);
            }
            throw new MigrationInputException(label + " at " + fieldPath + ".uri is unreachable or refused the login: "
                    + rootMessage(e) + "; check the address, that the server is up, and the credentials", e);
        }
    }

    private RedisURI redisUri(EndpointSpec spec, EndpointUri uri, String fieldPath) {
        RedisURI.Builder b = RedisURI.builder().withHost(uri.host()).withPort(uri.port()).withDatabase(uri.db())
                .withSsl(uri.tls()).withTimeout(COMMAND_TIMEOUT);
        if (uri.tls()) {
            boolean skip = spec.getTls() != null && spec.getTls().skipVerify();
            b.withVerifyPeer(skip ? SslVerifyMode.NONE : SslVerifyMode.FULL);
        }
        String password = spec.getPasswordSecretRef() == null ? null
                : secrets.resolve(spec.getPasswordSecretRef(), fieldPath + ".passwordSecretRef");
        String username = spec.getUsernameSecretRef() == null ? null
                : secrets.resolve(spec.getUsernameSecretRef(), fieldPath + ".usernameSecretRef");
        if (password != null && username != null) {
            b.withAuthentication(username, password);
        } else if (password != null) {
            b.withPassword(password.toCharArray());
        } else if (username != null) {
            throw new MigrationInputException(fieldPath + ".usernameSecretRef: a user name needs a password; "
                    + "add passwordSecretRef");
        }
        return b.build();
    }

    private ClientOptions clientOptions(TlsSpec tls, EndpointUri uri, String fieldPath) {
        ClientOptions.Builder b = ClientOptions.builder()
                // RESP2: Pika and older Kvrocks do not speak HELLO/RESP3.
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(false)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT));
        if (uri.tls() && tls != null) {
            b.sslOptions(sslOptions(tls, fieldPath));
        }
        return b.build();
    }

    private SslOptions sslOptions(TlsSpec tls, String fieldPath) {
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider();
        if (tls.getCaSecretRef() != null) {
            String pem = secrets.resolve(tls.getCaSecretRef(), fieldPath + ".tls.caSecretRef");
            b.trustManager(trustManagers(pem, fieldPath + ".tls.caSecretRef"));
        }
        if (tls.getServerName() != null) {
            String name = tls.getServerName();
            b.sslParameters(() -> {
                SSLParameters p = new SSLParameters();
                p.setServerNames(List.of(new SNIHostName(name)));
                return p;
            });
        }
        return b.build();
    }

    /** A trust manager that accepts the certificates of a PEM bundle and nothing else. */
    private static TrustManagerFactory trustManagers(String pem, String fieldPath) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new MigrationInputException(fieldPath + ": the secret holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new MigrationInputException(fieldPath + ": the secret is not a PEM CA bundle (" + e.getMessage() + ")", e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
