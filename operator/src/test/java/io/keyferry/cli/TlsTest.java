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
    void refusesACertificateThatDoesNotNameTheHost() {
        CliRun run = run("tls: {caSecretRef: {name: redis-ca, key: ca.crt}}");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("spec.sources[0].endpoint: the TLS handshake failed"), run.err());
        assertTrue(run.err().contains("tls.serverName"), run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
    }

    @Test
    void refusesAnUnknownCaByDefault() {
        CliRun run = run("tls: {serverName: redis.internal}");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("the TLS handshake failed"), run.err());
        assertEquals(0, target.redis().dbsize(), "nothing written");
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

    private static CliRun run(String tls) {
        String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: tls}\nspec:\n"
                + "  sources:\n    - name: secure\n      endpoint:\n        uri: \"rediss://127.0.0.1:" + tlsSource.port() + "/0\"\n"
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
