package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rediss:// endpoints: the server certificate is verified against the CA from a secret, for the name in
 * tls.serverName, and only insecureSkipVerify spelled out skips that. The certificate (made here with
 * openssl) names redis.internal, not 127.0.0.1, as a real one would.
 */
class TlsTest {
    private static Path secrets;
    private static RedisServer tlsSource;
    private static RedisServer target;

    @BeforeAll
    static void startServers() throws Exception {
        secrets = Files.createTempDirectory("keyferry-tls-");
        Path dir = Files.createDirectories(secrets.resolve("redis-ca"));
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=keyferry-test-ca");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=redis.internal");
        Files.writeString(dir.resolve("san.cnf"), "subjectAltName=DNS:redis.internal\n");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "san.cnf");
        tlsSource = RedisServer.withTls(dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt"));
        target = RedisServer.start();
    }

    @AfterAll
    static void stopServers() {
        tlsSource.close();
        target.close();
    }

    @BeforeEach
    void resetData() {
        target.redis().flushall();
        tlsSource.redis().set("secret:data", "over TLS");
    }

    @Test
    void copiesFromATlsSourceVerifiedAgainstTheCaForTheServerName() {
        CliRun run = run("tls: {caSecretRef: {name: redis-ca, key: ca.crt}, serverName: redis.internal}");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("over TLS", target.redis().get("secret:data"));
    }

    @Test
    void refusesACertificateThatDoesNotNameTheHostSayingSo() {
        CliRun run = run("tls: {caSecretRef: {name: redis-ca, key: ca.crt}}");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("spec.sources[0].endpoint: the TLS handshake failed: the server's certificate is for"
                + " another host name (set tls.serverName to a name it is for)"), run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
    }

    @Test
    void refusesAnUnknownCaByDefaultSayingSo() {
        CliRun run = run("tls: {serverName: redis.internal}");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("the TLS handshake failed: the server's certificate is not signed by a trusted CA"
                + " (put the CA that signed it in tls.caSecretRef)"), run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
    }

    @Test
    void refusesACertificateSignedByAnotherCaSayingSo() throws Exception {
        Path other = Files.createDirectories(secrets.resolve("other-ca"));
        openssl(other, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=another-ca");

        CliRun run = run("tls: {caSecretRef: {name: other-ca, key: ca.crt}, serverName: redis.internal}");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("the server's certificate is not signed by a trusted CA"), run.err());
    }

    @Test
    void refusesAnExpiredCertificateSayingSo() throws Exception {
        Path dir = secrets.resolve("redis-ca");
        // `openssl ca` sets the validity dates the test needs: a day in 2020.
        Files.writeString(dir.resolve("ca.cnf"), "[ca]\ndefault_ca=kf\n[kf]\ndatabase=index.txt\nnew_certs_dir=.\n"
                + "serial=serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n");
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        openssl(dir, "ca", "-batch", "-config", "ca.cnf", "-in", "server.csr", "-out", "expired.crt", "-notext",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", "san.cnf",
                "-keyfile", "ca.key", "-cert", "ca.crt");
        try (RedisServer expired = RedisServer.withTls(dir.resolve("expired.crt"), dir.resolve("server.key"), dir.resolve("ca.crt"))) {
            CliRun run = run(expired.port(), "tls: {caSecretRef: {name: redis-ca, key: ca.crt}, serverName: redis.internal}");

            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("the TLS handshake failed: the server's certificate has expired (renew it on the"
                    + " server)"), run.err());
            assertEquals(0, target.redis().dbsize(), "nothing written");
        }
    }

    @Test
    void skipsVerificationOnlyWhenToldTo() {
        CliRun run = run("tls: {insecureSkipVerify: true}");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("over TLS", target.redis().get("secret:data"));
    }

    @Test
    void streamsABigStringIntoATlsTarget() {
        try (RedisServer plain = RedisServer.start()) {
            plain.redis().set("big", "x".repeat(3 << 20));
            String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: tls-target}\nspec:\n"
                    + "  sources: [{name: plain, endpoint: {uri: \"" + plain.uri() + "\"}}]\n"
                    + "  target:\n    endpoint:\n      uri: \"rediss://127.0.0.1:" + tlsSource.port() + "/0\"\n"
                    + "      tls: {caSecretRef: {name: redis-ca, key: ca.crt}, serverName: redis.internal}\n"
                    + "  policies: {default: Overwrite}\n  verify: {mode: Full, roundPauseSeconds: 0}\n";

            CliRun run = CliRun.of("run", "-f", CliRun.manifest(yaml).toString(), "--secrets-dir", secrets.toString(),
                    "--state-dir", CliRun.tempDir().toString());

            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(3L << 20, tlsSource.redis().strlen("big"));
        }
    }

    /**
     * rediss:// to a plain port: the server reads the TLS greeting as the start of a command and waits for the rest, so
     * the handshake is bounded by the connect timeout (not the 2-minute reply timeout, at every retry) and named.
     */
    @Test
    void tlsAskedOfAPlainPortIsNamedWithinTheConnectTimeout() {
        CliRun run = CliRun.of("run", "-f", plainManifest("plain", "rediss://127.0.0.1:" + target.port() + "/0"),
                "--connect-timeout", "1", "--state-dir", CliRun.tempDir().toString());

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("no TLS handshake within 1 s (rediss:// asks the server for TLS; a plain port is"
                + " redis://)"), run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
    }

    /**
     * redis:// to a TLS port: the server drops the plain-text command. A dropped connection may also be a server going
     * down, so it stays a failure to run again (exit 3), with the likely mix-up named and no stack trace.
     */
    @Test
    void plainTextToATlsPortIsNamedAsSuch() {
        CliRun run = CliRun.of("run", "-f", plainManifest("secure", "redis://127.0.0.1:" + tlsSource.port() + "/0"),
                "--state-dir", CliRun.tempDir().toString());

        assertEquals(3, run.exitCode(), "a dropped connection may pass: " + run);
        assertTrue(run.err().contains("source secure (redis://127.0.0.1:" + tlsSource.port() + "/0): connection lost: "), run.err());
        assertTrue(run.err().contains(", at the first command it got (a port that speaks TLS drops plain text: there, use"
                + " rediss://)"), run.err());
        assertTrue(!run.err().contains("\tat "), "no stack trace for a lost connection: " + run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
    }

    /** A manifest copying source {@code name} at {@code uri}, with no tls settings, into the plain target. */
    private static String plainManifest(String name, String uri) {
        return CliRun.manifest("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: tls}\nspec:\n"
                + "  sources: [{name: " + name + ", endpoint: {uri: \"" + uri + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n").toString();
    }

    private static CliRun run(String tls) {
        return run(tlsSource.port(), tls);
    }

    private static CliRun run(int port, String tls) {
        String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: tls}\nspec:\n"
                + "  sources:\n    - name: secure\n      endpoint:\n        uri: \"rediss://127.0.0.1:" + port + "/0\"\n"
                + "        " + tls + "\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: Overwrite}\n  verify: {mode: Full, roundPauseSeconds: 0}\n";
        return CliRun.of("run", "-f", CliRun.manifest(yaml).toString(), "--secrets-dir", secrets.toString(),
                "--state-dir", CliRun.tempDir().toString());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + Files.readString(dir.resolve("openssl.log")));
    }
}
