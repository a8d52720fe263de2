package io.keyferry.cli;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.testing.RedisBinary;
import io.keyferry.testing.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** `keyferry run` as a user meets it: exit codes, messages, plan, report, reruns. */
@ExtendWith(Canary.class)
class RunCommandTest {
    private static final Path INVALID = Path.of("src/test/resources/manifests/invalid");
    private static RedisServer source;
    private static RedisServer target;

    @BeforeAll
    static void startServers() {
        source = RedisServer.start();
        target = RedisServer.start();
    }

    @AfterAll
    static void stopServers() {
        source.close();
        target.close();
    }

    @BeforeEach
    void resetData() {
        source.redis().flushall();
        target.redis().flushall();
        source.redis().set("greeting", "hello");
        source.redis().hset("user:1", Map.of("name", "ada", "lang", "en"));
        target.redis().set("sentinel", "untouched");
    }

    static Stream<Path> invalidManifests() throws IOException {
        try (Stream<Path> files = Files.list(INVALID)) {
            return files.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void rejectsABrokenManifestWithExitCode2NamingTheFieldAndLeavesTheTargetUntouched(Path file) throws IOException {
        String text = Files.readString(file);
        String expectedPath = text.lines().findFirst().orElseThrow().replace("# expect:", "").strip();
        // Point the manifest at live servers: were validation to let it through, data would move.
        Path manifest = CliRun.manifest(text.replace("127.0.0.1:6390", "127.0.0.1:" + source.port())
                .replace("127.0.0.1:6399", "127.0.0.1:" + target.port()));

        CliRun run = CliRun.of("run", "-f", manifest.toString(), "--state-dir", CliRun.tempDir().toString());

        assertEquals(2, run.exitCode(), run.toString());
        String shownPath = expectedPath.endsWith(".yaml") ? manifest.getFileName().toString() : expectedPath;
        assertTrue(run.err().contains(shownPath), "stderr names " + shownPath + "\n" + run);
        assertTargetUntouched();
    }

    @Test
    void namesAnUnreachableSourceByItsFieldAndWritesNothing() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun run = CliRun.of("run", "-f", manifest("redis://127.0.0.1:" + closedPort + "/0", "Overwrite").toString(),
                "--state-dir", CliRun.tempDir().toString());

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("spec.sources[0].endpoint.uri"), run.toString());
        assertTrue(run.err().contains("unreachable"), run.toString());
        assertTrue(run.err().contains("nothing was written to the target"), run.toString());
        assertTargetUntouched();
    }

    @Test
    void aSourceThatAsksForAPasswordIsNamedAsSuchNotAsAMissingPermission() {
        try (RedisServer locked = RedisServer.start(List.of("--requirepass", Canary.PASSWORD))) {
            CliRun run = CliRun.of("run", "-f", manifest(locked.uri(), "Overwrite").toString(),
                    "--state-dir", CliRun.tempDir().toString());

            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("source src (" + locked.uri() + ") asks for a password (NOAUTH"), run.err());
            assertTrue(run.err().contains("give the endpoint's passwordSecretRef, and usernameSecretRef for an ACL user"), run.err());
            assertTrue(!run.err().contains("may run INFO"), run.err());
            assertTargetUntouched();
        }
    }

    /**
     * A replica as the target refuses the copy's writes (READONLY) or, where it takes them, loses them at its next sync:
     * refused before anything is written, naming its primary. Verifying against it writes nothing and is allowed;
     * verifying with repair is refused the same way.
     */
    @Test
    void aReplicaAsTheTargetIsRefusedBeforeAnythingIsWrittenNamingItsPrimary() {
        try (RedisServer replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", String.valueOf(target.port())))) {
            String manifest = yaml(source.uri(), replica.uri(), "Overwrite");

            CliRun run = CliRun.of("run", "-f", manifest, "--state-dir", CliRun.tempDir().toString());
            CliRun repair = CliRun.of("verify", "-f", manifest, "--repair");
            CliRun verify = CliRun.of("verify", "-f", manifest);

            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("spec.target.endpoint.uri: target (" + replica.uri() + ") is a replica of 127.0.0.1:"
                    + target.port() + " (INFO replication: role:slave)"), run.err());
            assertTrue(run.err().contains("point it at the primary"), run.err());
            assertTrue(run.err().contains("nothing was written to the target"), run.err());
            assertEquals(2, repair.exitCode(), repair.toString());
            assertTrue(repair.err().contains("is a replica of 127.0.0.1:" + target.port()), repair.err());
            assertTrue(verify.exitCode() == 0 || verify.exitCode() == 1, verify.toString());
            assertTrue(!verify.err().contains("is a replica of"), verify.err());
            assertTargetUntouched();
        }
    }

    /** --follow with a user that may not replicate: bad input (exit 2) naming the ACL rules, not a failure to rerun. */
    @Test
    void followingWithAUserWithoutTheSyncPermissionIsBadInputNamingTheRules() throws IOException {
        try (RedisServer guarded = RedisServer.start()) {
            guarded.redis().set("k", "v");
            guarded.redis().aclSetuser("reader", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword(Canary.PASSWORD)
                    .allKeys().addCommand(io.lettuce.core.protocol.CommandType.INFO).addCategory(io.lettuce.core.AclCategory.READ));
            Path secrets = CliRun.tempDir();
            Files.createDirectories(secrets.resolve("src"));
            Files.writeString(secrets.resolve("src/user"), "reader");
            Files.writeString(secrets.resolve("src/password"), Canary.PASSWORD);
            String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: acl}\nspec:\n"
                    + "  sources: [{name: src, endpoint: {uri: \"" + guarded.uri() + "\", usernameSecretRef: {name: src, key: user},"
                    + " passwordSecretRef: {name: src, key: password}}}]\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n  verify: {mode: \"Off\"}\n";

            CliRun run = CliRun.of("run", "-f", CliRun.manifest(yaml).toString(), "--secrets-dir", secrets.toString(),
                    "--state-dir", CliRun.tempDir().toString(), "--follow", "--no-progress");

            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("NOPERM"), run.err());
            assertTrue(run.err().contains("the source's user needs the SYNC permission (ACL: +sync +psync +replconf)"), run.err());
            assertTargetUntouched();
        }
    }

    /** A port where something else listens (here a web server's answer) is bad input, named so: exit 2, no stack trace. */
    @Test
    void anEndpointThatIsNoRedisProtocolServerIsNamedSo() throws IOException {
        try (ServerSocket web = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                while (!web.isClosed()) {
                    try (java.net.Socket s = web.accept()) {
                        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            answering.setDaemon(true);
            answering.start();

            CliRun run = CliRun.of("run", "-f", manifest("redis://127.0.0.1:" + web.getLocalPort() + "/0", "Overwrite").toString(),
                    "--state-dir", CliRun.tempDir().toString());

            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("source src (redis://127.0.0.1:" + web.getLocalPort() + "/0) does not answer in the"
                    + " Redis protocol: not a RESP2 reply (first byte 72) (it looks like an HTTP server); check the address and"
                    + " port"), run.err());
            assertTrue(!run.err().contains("\tat "), "no stack trace: " + run.err());
            assertTargetUntouched();
        }
    }

    @Test
    void refusesASourceThatIsTheTargetUnderAnotherName() {
        CliRun run = CliRun.of("run", "-f", yaml("redis://localhost:" + target.port() + "/0", target.uri(), "Overwrite"),
                "--state-dir", CliRun.tempDir().toString());

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("same database as the target"), run.toString());
    }

    @Test
    void copiesPrintsThePlanAndSummaryAndWritesTheJsonReport() throws IOException {
        Path report = CliRun.tempDir().resolve("report.json");
        Path state = CliRun.tempDir();

        CliRun run = CliRun.of("run", "-f", manifest(source.uri(), "Overwrite").toString(), "--state-dir", state.toString(),
                "--report", report.toString(), "--no-progress");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("copy: DUMP/RESTORE for small keys"), run.out());
        assertTrue(run.out().contains("copy finished: 2 keys scanned"), run.out());
        assertEquals("hello", target.redis().get("greeting"));
        assertEquals(Map.of("name", "ada", "lang", "en"), target.redis().hgetall("user:1"));
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals("Succeeded", json.get("status").asText());
        assertEquals(2, json.get("keysScanned").asLong());
        assertEquals(2, json.get("keysWritten").asLong());
        assertEquals(1, json.at("/byType/hash/written").asLong());
        assertEquals(1, json.at("/byType/string/written").asLong());
        assertEquals("src", json.at("/sources/0/name").asText());
    }

    @Test
    void rerunningAFinishedMigrationCopiesNothingUntilRestarted() {
        Path state = CliRun.tempDir();
        String manifest = manifest(source.uri(), "Skip").toString();
        assertEquals(0, CliRun.of("run", "-f", manifest, "--state-dir", state.toString()).exitCode());
        target.redis().del("greeting");

        CliRun again = CliRun.of("run", "-f", manifest, "--state-dir", state.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("nothing to copy"), again.out());
        assertEquals(0, target.redis().exists("greeting"), "a finished migration is not copied again");

        CliRun restarted = CliRun.of("run", "-f", manifest, "--state-dir", state.toString(), "--restart");
        assertEquals(0, restarted.exitCode(), restarted.toString());
        assertEquals("hello", target.redis().get("greeting"));
    }

    @Test
    void parallelWorkersCopyPartsAtOnceWithACheckpointEachAndAFinishedRunIsNotCopiedAgain() throws IOException {
        for (int i = 0; i < 3000; i++) {
            source.redis().set("p:" + i, "v" + i);
        }
        Path state = CliRun.tempDir();
        Path manifest = CliRun.manifest(Files.readString(manifest(source.uri(), "Overwrite"))
                .replace("spec:", "spec:\n  worker: {parallelism: 3, batchSize: 100}"));

        CliRun run = CliRun.of("run", "-f", manifest.toString(), "--state-dir", state.toString(), "--no-progress");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("workers 3 per source"), run.out());
        assertTrue(run.out().contains("copy finished: 3,002 keys scanned, 3,002 decided, 3,002 written"), run.out());
        assertEquals(3003, target.redis().dbsize(), "every key once, and the sentinel");
        assertEquals("v2999", target.redis().get("p:2999"));
        for (int k = 0; k < 3; k++) {
            assertTrue(Files.exists(state.resolve("part-" + k + "-of-3/checkpoint.json")), "part " + k + "'s own checkpoint");
        }
        target.redis().del("p:7");
        CliRun again = CliRun.of("run", "-f", manifest.toString(), "--state-dir", state.toString(), "--no-progress");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(0, target.redis().exists("p:7"), "a finished parallel run copies nothing again");
    }

    @Test
    void refusesToResumeStateOfAChangedSpec() {
        Path state = CliRun.tempDir();
        assertEquals(0, CliRun.of("run", "-f", manifest(source.uri(), "Skip").toString(), "--state-dir", state.toString()).exitCode());

        CliRun changed = CliRun.of("run", "-f", manifest(source.uri(), "Overwrite").toString(), "--state-dir", state.toString());

        assertEquals(2, changed.exitCode(), changed.toString());
        assertTrue(changed.err().contains("--restart"), changed.err());
    }

    @Test
    void dryRunPrintsThePlanAndWritesNothing() {
        CliRun run = CliRun.of("run", "-f", manifest(source.uri(), "Overwrite").toString(), "--dry-run",
                "--state-dir", CliRun.tempDir().toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("source 1 source src"), run.out());
        assertTrue(run.out().contains("redis " + RedisBinary.get().version()), run.out());
        assertTrue(run.out().contains("dry run: nothing was written"), run.out());
        assertTargetUntouched();
    }

    @Test
    void typeMismatchFailStopsWithExitCode3NamingTheKey() {
        target.redis().hset("greeting", "not", "a string");
        String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: clash}\nspec:\n"
                + "  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: Overwrite, typeMismatch: Fail}\n  verify: {mode: \"Off\"}\n";

        CliRun run = CliRun.of("run", "-f", CliRun.manifest(yaml).toString(), "--state-dir", CliRun.tempDir().toString());

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains("key greeting"), run.err());
        assertTrue(run.err().contains("typeMismatch is Fail"), run.err());
        assertTrue(run.err().contains("run the same command again to resume"), run.err());
    }

    @Test
    void readsThePasswordFromTheSecretsDirectory() throws IOException {
        try (RedisServer locked = RedisServer.start(List.of("--requirepass", Canary.PASSWORD))) {
            locked.redis().set("k", "v");
            Path secrets = CliRun.tempDir();
            Files.createDirectories(secrets.resolve("src-auth"));
            Files.writeString(secrets.resolve("src-auth/password"), Canary.PASSWORD + "\n");
            String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: auth}\nspec:\n"
                    + "  sources: [{name: src, endpoint: {uri: \"" + locked.uri()
                    + "\", passwordSecretRef: {name: src-auth, key: password}}}]\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n  verify: {mode: \"Off\"}\n";
            Path manifest = CliRun.manifest(yaml);

            CliRun withoutSecrets = CliRun.of("run", "-f", manifest.toString(), "--state-dir", CliRun.tempDir().toString());
            assertEquals(2, withoutSecrets.exitCode(), withoutSecrets.toString());
            assertTrue(withoutSecrets.err().contains("spec.sources[0].endpoint.passwordSecretRef"), withoutSecrets.err());

            CliRun run = CliRun.of("run", "-f", manifest.toString(), "--secrets-dir", secrets.toString(),
                    "--state-dir", CliRun.tempDir().toString());
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals("v", target.redis().get("k"));
            assertTrue(!run.out().contains(Canary.PASSWORD) && !run.err().contains(Canary.PASSWORD), "the password is never printed");
        }
    }

    @Test
    void runVerifiesAfterTheCopyAndVerifyExitsOneOnDifferences() throws IOException {
        Path report = CliRun.tempDir().resolve("report.json");
        String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: verified}\nspec:\n"
                + "  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: Overwrite}\n  verify: {mode: Full, rounds: 2, roundPauseSeconds: 0}\n";
        Path manifest = CliRun.manifest(yaml);

        CliRun run = CliRun.of("run", "-f", manifest.toString(), "--state-dir", CliRun.tempDir().toString(),
                "--report", report.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("verification clean after 1 round(s): 2 keys checked, 2 matched"), run.out());
        assertEquals(2, new ObjectMapper().readTree(report.toFile()).at("/verification/keysChecked").asLong());

        target.redis().hset("user:1", "name", "eve");
        target.redis().del("greeting");
        CliRun verify = CliRun.of("verify", "-f", manifest.toString(), "--report", report.toString());
        assertEquals(1, verify.exitCode(), verify.toString());
        JsonNode json = new ObjectMapper().readTree(report.toFile()).get("verification");
        assertEquals(2, json.get("keysChecked").asLong());
        assertEquals(1, json.get("mismatches").asLong());
        assertEquals(1, json.get("missing").asLong());
        assertEquals("MismatchesFound", new ObjectMapper().readTree(report.toFile()).get("status").asText());
        assertEquals(Map.of("user:1", "field 'name' differs", "greeting", "missing in target"),
                Map.of(json.at("/samples/0/key").asText(), json.at("/samples/0/reason").asText(),
                        json.at("/samples/1/key").asText(), json.at("/samples/1/reason").asText()));

        CliRun repaired = CliRun.of("verify", "-f", manifest.toString(), "--repair");
        assertEquals(0, repaired.exitCode(), repaired.toString());
        assertTrue(repaired.out().contains("2 repaired"), repaired.out());
        assertEquals("ada", target.redis().hget("user:1", "name"));

        CliRun broken = CliRun.of("verify", "-f", INVALID.resolve("no-target.yaml").toString());
        assertEquals(2, broken.exitCode(), broken.toString());
    }

    @Test
    void streamsABigStringIntoAPasswordProtectedTargetDatabase() throws IOException {
        try (RedisServer locked = RedisServer.start(List.of("--requirepass", Canary.PASSWORD))) {
            source.redis().set("big", "y".repeat(2 << 20));
            Path secrets = CliRun.tempDir();
            Files.createDirectories(secrets.resolve("target-auth"));
            Files.writeString(secrets.resolve("target-auth/password"), Canary.PASSWORD);
            String yaml = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: big-auth}\nspec:\n"
                    + "  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                    + "  target: {endpoint: {uri: \"" + locked.uri(3) + "\", passwordSecretRef: {name: target-auth, key: password}}}\n"
                    + "  policies: {default: Overwrite}\n  verify: {mode: Full, roundPauseSeconds: 0}\n";

            CliRun run = CliRun.of("run", "-f", CliRun.manifest(yaml).toString(), "--secrets-dir", secrets.toString(),
                    "--state-dir", CliRun.tempDir().toString());

            assertEquals(0, run.exitCode(), run.toString());
            locked.redis().select(3);
            assertEquals(2L << 20, locked.redis().strlen("big"));
            assertEquals(0, locked.redis().select(0).equals("OK") ? locked.redis().exists("big") : -1, "db 0 untouched");
        }
    }

    @Test
    void aTargetThatRefusesWritesStopsTheCopyWithExitCode3AndTheRerunFinishesIt() {
        for (int i = 0; i < 3000; i++) {
            source.redis().set("fill:" + i, "x".repeat(1000));
        }
        target.redis().configSet("maxmemory-policy", "noeviction");
        target.redis().configSet("maxmemory", "2mb");
        Path state = CliRun.tempDir();
        String manifest = manifest(source.uri(), "Overwrite").toString();
        try {
            CliRun full = CliRun.of("run", "-f", manifest, "--state-dir", state.toString());

            assertEquals(3, full.exitCode(), full.toString());
            assertTrue(full.err().contains("refused a write to key"), full.err());
            assertTrue(full.err().contains("OOM"), full.err());
            assertTrue(full.err().contains("run the same command again to resume"), full.err());
        } finally {
            target.redis().configSet("maxmemory", "0");
        }
        CliRun resumed = CliRun.of("run", "-f", manifest, "--state-dir", state.toString());

        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming after"), resumed.out());
        assertEquals(3003, target.redis().dbsize(), "every source key, and the sentinel");
    }

    @Test
    void aSourceThatDiesDuringVerificationExitsWith3Not1() throws IOException {
        RedisServer doomed = RedisServer.start();
        doomed.redis().set("k", "v");
        Path manifest = manifest(doomed.uri(), "Overwrite");
        assertEquals(0, CliRun.of("run", "-f", manifest.toString(), "--state-dir", CliRun.tempDir().toString()).exitCode());
        doomed.close();

        CliRun verify = CliRun.of("verify", "-f", manifest.toString());

        assertEquals(2, verify.exitCode(), "an unreachable source before anything is checked is bad input: " + verify);
        assertTrue(verify.err().contains("unreachable"), verify.err());
    }

    @Test
    void helpListsTheCommands() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("run") && run.out().contains("verify"), run.out());
    }

    private static void assertTargetUntouched() {
        assertEquals(1, target.redis().dbsize(), "the target holds only its sentinel");
        assertEquals("untouched", target.redis().get("sentinel"));
    }

    private static Path manifest(String sourceUri, String policy) {
        return Path.of(yaml(sourceUri, target.uri(), policy));
    }

    private static String yaml(String sourceUri, String targetUri, String policy) {
        return CliRun.manifest("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: cli-test}\nspec:\n"
                + "  sources: [{name: src, endpoint: {uri: \"" + sourceUri + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + targetUri + "\"}}\n"
                + "  policies: {default: " + policy + "}\n  verify: {mode: \"Off\"}\n").toString();
    }
}
