package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * scripts/kubectl-keyferry, as kubectl runs it: a process of its own on the built jar, reaching the (mock) API
 * server through a kubeconfig file. An integration test, run after `package` built the jar.
 */
@EnableKubernetesMockClient(crud = true)
class KubectlLauncherIT {
    KubernetesClient client;

    /** What one run of the launcher printed, and how long it took. */
    record Launch(int exitCode, String out, String err, long millis) {}

    private Launch launch(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(args));
        command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        return run("../scripts/kubectl-keyferry", command);
    }

    private static Launch run(String program, List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(program));
        command.addAll(args);
        Path out = Files.createTempFile("kubectl-keyferry-", ".out");
        Path err = Files.createTempFile("kubectl-keyferry-", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("KEYFERRY_JAR");
        long start = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the launcher did not end");
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Launch(p.exitValue(), Files.readString(out), Files.readString(err), millis);
    }

    @Test
    void theKrewArchiveHoldsALauncherThatFindsTheJarBesideIt() throws Exception {
        Launch pack = run("../scripts/krew-package.sh", List.of("v9.9.9"));
        assertEquals(0, pack.exitCode(), pack::toString);
        Path krew = Path.of("target/krew");
        Path unpacked = Files.createTempDirectory("krew-install-");
        Process tar = new ProcessBuilder("tar", "-xzf", krew.resolve("kubectl-keyferry.tar.gz").toString(), "-C",
                unpacked.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());

        Launch help = run(unpacked.resolve("kubectl-keyferry").toString(), List.of("--help"));

        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().startsWith("Usage: kubectl keyferry [-h] [--context=CONTEXT]"), help::toString);
        assertTrue(help.out().contains("  7   advance: a guard blocks the next rung; nothing was changed"), help::toString);
        java.util.Map<?, ?> manifest = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                Files.readString(krew.resolve("keyferry.yaml")), java.util.Map.class);
        java.util.Map<?, ?> spec = (java.util.Map<?, ?>) manifest.get("spec");
        java.util.Map<?, ?> platform = (java.util.Map<?, ?>) ((List<?>) spec.get("platforms")).get(0);
        assertEquals("v9.9.9", spec.get("version"));
        assertEquals("kubectl-keyferry", platform.get("bin"));
        assertEquals("https://github.com/keyferry/keyferry/releases/download/v9.9.9/kubectl-keyferry.tar.gz", platform.get("uri"));
        assertEquals(sha256(krew.resolve("kubectl-keyferry.tar.gz")), platform.get("sha256"));
    }

    private static String sha256(Path file) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        return java.util.HexFormat.of().formatHex(digest);
    }

    private Path kubeconfig() throws IOException {
        Path file = Files.createTempFile("kubeconfig-", ".yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: someone, user: {token: secret-token}}]
                contexts: [{name: mock, context: {cluster: mock, user: someone, namespace: test}}]
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
        return file;
    }

    @Test
    void runsTheJarAsAKubectlPluginWithTheKubeconfigsNamespace() throws Exception {
        Path kubeconfig = kubeconfig();
        Cutovers.put(client, "users", Phase.SOURCE_ONLY, Phase.SOURCE_ONLY, false, -1);

        Launch status = launch(kubeconfig, "status", "users");
        Launch advance = launch(kubeconfig, "advance", "users");
        Launch missing = launch(kubeconfig, "status", "nobody");

        assertEquals(ExitCodes.OK, status.exitCode(), status::toString);
        assertTrue(status.out().startsWith("DataMigration test/users\nPhase:        SourceOnly in force, flag 1100\n"), status::toString);
        assertFalse(status.out().contains("\u001b"), "no colour into a pipe");
        assertEquals("", status.err(), "nothing logged");
        assertEquals(ExitCodes.OK, advance.exitCode(), advance::toString);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
        assertEquals(ExitCodes.NOT_FOUND, missing.exitCode(), missing::toString);
        Cutovers.put(client, "done", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);
        Launch rollback = launch(kubeconfig, "rollback", "done");
        assertEquals(ExitCodes.REFUSED, rollback.exitCode(), "standard input is no terminal: nobody to ask\n" + rollback);
        assertEquals(Phase.TARGET_ONLY, Cutovers.get(client, "done").getSpec().getPhase());
        System.out.printf("kubectl-keyferry: status %d ms, advance %d ms, status of a missing one %d ms%n",
                status.millis(), advance.millis(), missing.millis());
    }

    /**
     * The first run made the plugin's own class-data archive beside the jar, and the JVM can map it: with -Xshare:on a
     * JVM that cannot (another class path, another Java) refuses to start instead of going on without.
     */
    @Test
    void thePluginsClassDataArchiveIsMadeBesideTheJarAndMapped() throws Exception {
        Path kubeconfig = kubeconfig();
        Cutovers.put(client, "users", Phase.SOURCE_ONLY, Phase.SOURCE_ONLY, false, -1);
        Path archive = Path.of("target/keyferry-kubectl.jsa");
        Files.deleteIfExists(archive);

        Launch first = launch(kubeconfig, "status", "users");
        assertEquals(ExitCodes.OK, first.exitCode(), first::toString);
        assertTrue(Files.size(archive) > 0, "the archive was made by the first run");

        List<String> command = new java.util.ArrayList<>(List.of("../scripts/kubectl-keyferry", "status", "users",
                "--kubeconfig", kubeconfig.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("KEYFERRY_JAR");
        pb.environment().put("KEYFERRY_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:on");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the launcher did not end");
        assertEquals(ExitCodes.OK, p.exitValue(), out);
        assertTrue(out.startsWith("DataMigration test/users\n"), out);
    }
}
