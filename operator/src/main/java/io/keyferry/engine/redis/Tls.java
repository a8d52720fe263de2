package io.keyferry.engine.redis;

import io.keyferry.api.EndpointUri;
import io.keyferry.api.TlsSpec;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import io.lettuce.core.SslOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for an endpoint ({@code rediss://}), for KeyFerry's own connections and for Lettuce's: the server's certificate
 * verified against the JDK's CAs or the PEM bundle of {@code tls.caSecretRef}, its host name checked unless the user
 * spelled out {@code insecureSkipVerify}, and a failed handshake explained as the expired, wrong-name or untrusted
 * certificate it was.
 */
final class Tls {
    private final SecretResolver secrets;

    Tls(SecretResolver secrets) {
        this.secrets = secrets;
    }

    Socket socket(Socket plain, TlsSpec tls, EndpointUri uri, String fieldPath)
            throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        boolean skip = tls != null && tls.skipVerify();
        TrustManager[] trust = skip ? new TrustManager[] {TRUST_ALL}
                : tls != null && tls.getCaSecretRef() != null
                ? trustManagers(secrets.resolve(tls.getCaSecretRef(), fieldPath + ".tls.caSecretRef"),
                        fieldPath + ".tls.caSecretRef").getTrustManagers()
                : null;
        context.init(null, trust, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, uri.host(), uri.port(), true);
        SSLParameters p = socket.getSSLParameters();
        if (!skip) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (tls != null && tls.getServerName() != null) {
            p.setServerNames(List.of(new SNIHostName(tls.getServerName())));
        }
        socket.setSSLParameters(p);
        // Bounded by the connect timeout, not the reply timeout: a server that does not speak TLS reads the greeting as
        // the start of a command and waits for the rest, so each side would wait for the other for 2 minutes a try.
        plain.setSoTimeout((int) Timeouts.connect().toMillis());
        try {
            socket.startHandshake();
        } catch (java.net.SocketTimeoutException e) {
            socket.close();
            throw new java.net.SocketTimeoutException("no TLS handshake within " + Timeouts.describe(Timeouts.connect())
                    + " (rediss:// asks the server for TLS; a plain port is redis://)");
        }
        socket.setSoTimeout((int) Timeouts.reply().toMillis());
        return socket;
    }

    /** insecureSkipVerify, spelled out by the user: any certificate is accepted. */
    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // not a server
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // the user asked not to verify
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    SslOptions sslOptions(TlsSpec tls, String fieldPath) {
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

    /** Which of the usual three a failed verification was, said first: the handshake's own words name none of them. */
    static String certificateProblem(Throwable e) {
        if (Endpoints.causedBy(e, java.security.cert.CertificateExpiredException.class)) {
            return "the server's certificate has expired (renew it on the server); ";
        }
        if (Endpoints.causedBy(e, java.security.cert.CertificateNotYetValidException.class)) {
            return "the server's certificate is not valid yet (check the clocks); ";
        }
        String all = messages(e);
        if (all.contains("No subject alternative") || all.contains("No name matching")) {
            return "the server's certificate is for another host name (set tls.serverName to a name it is for); ";
        }
        if (all.contains("unable to find valid certification path") || all.contains("PKIX path building failed")) {
            return "the server's certificate is not signed by a trusted CA (put the CA that signed it in tls.caSecretRef); ";
        }
        return "";
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
