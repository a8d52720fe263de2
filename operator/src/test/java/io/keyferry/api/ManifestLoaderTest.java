package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A manifest is read strictly and every error names the field to fix. The files under
 * manifests/invalid/ are shared with the CLI test: each names its expected error path in its
 * first line ({@code # expect: <path>}).
 */
class ManifestLoaderTest {
    private static final String HEADER = """
            apiVersion: keyferry.io/v1alpha1
            kind: DataMigration
            metadata: {name: users}
            """;
    private static final String SOURCE_AND_TARGET = """
            spec:
              sources: [{name: pika-0, endpoint: {uri: redis://127.0.0.1:6390/0}}]
              target: {endpoint: {uri: redis://127.0.0.1:6399/0}}
            """;

    @Test
    void fullManifestBindsEveryField() {
        DataMigration dm = ManifestLoader.load(manifest("valid/full.yaml"));

        ObjectMeta metadata = dm.getMetadata();
        assertEquals("users-pika-to-kvrocks", metadata.getName());
        assertEquals("shop", metadata.getNamespace());
        assertEquals(Map.of("team", "storage"), metadata.getLabels());

        DataMigrationSpec spec = dm.getSpec();
        SourceSpec pika = spec.getSources().get(0);
        assertEquals("pika-0", pika.getName());
        assertEquals("redis://127.0.0.1:6390/0", pika.getEndpoint().getUri());
        assertSecret("pika-auth", "password", pika.getEndpoint().getPasswordSecretRef());
        assertEquals("user:*", pika.getKeys().getMatch());
        assertEquals(List.of(DataType.HASH, DataType.ZSET), pika.getKeys().getTypes());
        assertEquals("", pika.getKeys().getAddPrefix());

        SourceSpec legacy = spec.getSources().get(1);
        EndpointSpec legacyEndpoint = legacy.getEndpoint();
        assertEquals("redis-legacy", legacy.getName());
        assertEquals(new EndpointUri(true, "127.0.0.1", 6391, 0), EndpointUri.parse(legacyEndpoint.getUri()));
        assertSecret("legacy-auth", "username", legacyEndpoint.getUsernameSecretRef());
        assertSecret("legacy-auth", "password", legacyEndpoint.getPasswordSecretRef());
        assertSecret("legacy-ca", "ca.crt", legacyEndpoint.getTls().getCaSecretRef());
        assertEquals("legacy.redis.internal", legacyEndpoint.getTls().getServerName());
        assertTrue(legacyEndpoint.clusterEnabled());
        assertEquals("session:*", legacy.getKeys().getMatch());
        assertEquals(List.of(DataType.STRING, DataType.LIST, DataType.SET, DataType.STREAM), legacy.getKeys().getTypes());
        assertEquals("legacy:", legacy.getKeys().getAddPrefix());

        assertEquals("redis://127.0.0.1:6392/2", spec.getTarget().getEndpoint().getUri());
        assertSecret("kvrocks-auth", "password", spec.getTarget().getEndpoint().getPasswordSecretRef());

        PolicySpec policies = spec.getPolicies();
        assertEquals(Policy.SKIP, policies.defaultOrSkip());
        assertEquals(Policy.OVERWRITE, policies.getString());
        assertEquals(Policy.MERGE, policies.getHash());
        assertEquals(Policy.FILL, policies.getList());
        assertEquals(Policy.MERGE, policies.getSet());
        assertEquals(Policy.MERGE, policies.getZset());
        assertEquals(Policy.SKIP, policies.getStream());
        assertEquals(TypeMismatchPolicy.FAIL, policies.getTypeMismatch());

        assertEquals(Phase.DUAL_WRITE, spec.getPhase());
        assertEquals("redis://127.0.0.1:6393/0", spec.getCutover().getFlag().getEndpoint().getUri());
        assertEquals("migrate_user", spec.getCutover().getFlag().getKey());
        assertEquals(5, spec.getCutover().getMaxMismatches());

        assertEquals(VerifyMode.SAMPLE, spec.getVerify().getMode());
        assertEquals(12.5, spec.getVerify().getPercent());
        assertEquals(4, spec.getVerify().getRounds());

        assertEquals(2, spec.getWorker().getParallelism());
        assertEquals(500, spec.getWorker().getBatchSize());
        assertEquals(1000, spec.getWorker().getRateLimit().getKeysPerSecond());
    }

    @Test
    void leftOutFieldsKeepTheirDefaults() {
        DataMigrationSpec spec = ManifestLoader.parse(HEADER + SOURCE_AND_TARGET + """
                  worker: {batchSize: }
                  policies:
                """, "defaults.yaml").getSpec();
        assertEquals(Policy.SKIP, spec.getPolicies().defaultOrSkip());
        assertEquals(TypeMismatchPolicy.SKIP, spec.getPolicies().getTypeMismatch());
        assertEquals(VerifyMode.FULL, spec.getVerify().getMode());
        assertEquals(2000, spec.getWorker().getBatchSize());
        assertEquals(0, spec.getWorker().getRateLimit().getKeysPerSecond());
    }

    @Test
    void statusIsTheOperatorsOutputAndIgnoredOnInput() {
        DataMigration dm = ManifestLoader.parse(HEADER + "status: {stage: Copying, progress: {percent: 3}}\n"
                + SOURCE_AND_TARGET, "exported.yaml");
        assertNull(dm.getStatus());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unknown-policy.yaml           | spec.policies.hash                  | 'Mrge' is not valid; use one of Overwrite, Merge, Fill, Skip
            merge-string-policy.yaml      | spec.policies.string                | Merge does not apply to strings (two strings cannot be merged); use Overwrite, Fill or Skip
            merge-default-policy.yaml     | spec.policies.default               | Merge does not apply to strings (two strings cannot be merged), and strings follow the default; set spec.policies.string to Overwrite, Fill or Skip
            no-target.yaml                | spec.target                         | is required: the store to copy into, e.g. target: {endpoint: {uri: redis://host:6379/0}}
            no-sources.yaml               | spec.sources                        | at least one source is required
            duplicate-source-names.yaml   | spec.sources[1].name                | duplicate source name 'pika-0', also at spec.sources[0].name
            bad-uri-scheme.yaml           | spec.sources[0].endpoint.uri        | scheme 'http' is not supported; use redis:// or rediss://
            credentials-in-uri.yaml       | spec.target.endpoint.uri            | must not hold credentials (secrets do not belong in manifests); use passwordSecretRef and usernameSecretRef
            wrong-kind.yaml               | kind                                | is 'Deployment'; this file must hold a DataMigration
            wrong-api-version.yaml        | apiVersion                          | is 'keyferry.io/v1'; use keyferry.io/v1alpha1
            missing-name.yaml             | metadata.name                       | is required: the name of this DataMigration
            negative-batch-size.yaml      | spec.worker.batchSize               | is -500; use 1 to 100000
            negative-keys-per-second.yaml | spec.worker.rateLimit.keysPerSecond | is -1; use 0 for unlimited or a positive limit
            unknown-field.yaml            | spec.sources[0].endpont             | unknown field 'endpont'; known fields: name, endpoint, keys
            unknown-top-level-field.yaml  | specs                               | unknown field 'specs'; known fields: apiVersion, kind, metadata, spec, status
            string-for-number.yaml        | spec.worker.parallelism             | expected a whole number, got a string
            number-for-enum.yaml          | spec.verify.mode                    | '1' is not valid; use one of Full, Sample, Off
            phase-without-cutover.yaml    | spec.phase                          | needs spec.cutover (the routing flag to switch); remove spec.phase for a one-shot copy
            cutover-without-phase.yaml    | spec.phase                          | is required with spec.cutover; start with SourceOnly
            tls-without-rediss.yaml       | spec.target.endpoint.tls            | TLS settings need a rediss:// URI; change the scheme to rediss:// or remove tls
            flag-read-from-replica.yaml   | spec.cutover.flag.endpoint.readFrom | applies to sources only: the flag is written where the application reads it; remove readFrom
            malformed-yaml.yaml           | <file>                              | malformed YAML at line 11, column 6: expected <block end>, but found '<block mapping start>'
            empty.yaml                    | <file>                              | is empty; it must hold one DataMigration manifest
            two-documents.yaml            | <file>                              | holds 2 YAML documents; a file holds one DataMigration, so put each in its own file
            """)
    void eachInvalidManifestGivesOneErrorThatSaysWhatToChange(String invalidFile, String path, String message) {
        Path file = manifest("invalid/" + invalidFile);
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.load(file));
        String expectedPath = path.equals("<file>") ? file.toString() : path;
        assertEquals(List.of(new FieldError(expectedPath, message)), e.getErrors());
    }

    @Test
    void credentialsInTheUriAreNotEchoed() {
        Path file = manifest("invalid/credentials-in-uri.yaml");
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.load(file));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void unknownMetadataFieldIsReported() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.parse(
                HEADER.replace("{name: users}", "{name: users, lables: {team: storage}}") + SOURCE_AND_TARGET, "m.yaml"));
        assertEquals("metadata.lables", e.getErrors().get(0).path());
        assertTrue(e.getErrors().get(0).message().startsWith("unknown field 'lables'; known fields: annotations,"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void everyInvalidManifestFailsAtThePathItsFirstLineNames(Path file) throws IOException {
        String expectedPath = Files.readAllLines(file).get(0).replaceFirst("^# expect: ", "");
        List<String> paths = assertThrows(InvalidManifestException.class, () -> ManifestLoader.load(file))
                .getErrors().stream().map(FieldError::path).toList();
        assertTrue(paths.stream().anyMatch(p -> p.equals(expectedPath) || p.endsWith("/" + expectedPath)),
                "expected an error at " + expectedPath + ", got " + paths);
    }

    @Test
    void everyUnknownFieldAndInvalidValueIsReportedAtOnce() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.parse(
                HEADER + """
                        spec:
                          sources: [{name: pika-0, endpont: {uri: redis://127.0.0.1:6390/0}, kyes: {}}]
                          target: {endpoint: {uri: redis://127.0.0.1:6399/0}}
                          policies: {string: Overwrit, typeMismatch: Fial}
                        """, "typos.yaml"));
        assertEquals("""
                spec.sources[0].endpont: unknown field 'endpont'; known fields: name, endpoint, keys
                spec.sources[0].kyes: unknown field 'kyes'; known fields: name, endpoint, keys
                spec.policies.string: 'Overwrit' is not valid; use one of Overwrite, Merge, Fill, Skip
                spec.policies.typeMismatch: 'Fial' is not valid; use one of Skip, Overwrite, Fail""", e.getMessage());
    }

    @Test
    void valuesAreNotCoercedBetweenTypes() {
        assertParseError("  worker: {batchSize: '500'}\n", "spec.worker.batchSize", "expected a whole number, got a string");
        assertParseError("  worker: {batchSize: 2.5}\n", "spec.worker.batchSize", "expected a whole number, got a decimal number");
        assertParseError("  verify: {mode: Sample, percent: '10'}\n", "spec.verify.percent", "expected a number, got a string");
        assertParseError("  cutover: {flag: {key: 42}}\n", "spec.cutover.flag.key", "expected a string, got a whole number");
        assertParseError("  phase: [DualWrite]\n", "spec.phase", "expected one of SourceOnly, DualWrite, ReadTarget,"
                + " TargetOnly, Aborted, got a list");
    }

    @Test
    void wrongShapesNameWhatWasExpected() {
        assertParseError("  worker: [2]\n", "spec.worker", "expected an object, got a list");
        assertParseError("  verify: {rounds: {n: 3}}\n", "spec.verify.rounds", "expected a whole number, got an object");
    }

    @Test
    void anEmptyListItemIsAnError() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.parse(HEADER + """
                spec:
                  sources:
                    -
                  target: {endpoint: {uri: redis://127.0.0.1:6399/0}}
                """, "m.yaml"));
        assertEquals(List.of(new FieldError("spec.sources[0]", "is empty (null); give it a value or remove it")), e.getErrors());
    }

    @Test
    void aTopLevelListIsNotAManifest() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class,
                () -> ManifestLoader.parse("- apiVersion: keyferry.io/v1alpha1\n", "list.yaml"));
        assertEquals(List.of(new FieldError("list.yaml",
                "is not a manifest: expected apiVersion, kind, metadata and spec at the top level")), e.getErrors());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.load(missing));
        assertEquals(List.of(new FieldError(missing.toString(), "no such file")), e.getErrors());
    }

    @Test
    void aDirectoryIsNotAManifest(@TempDir Path dir) {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.load(dir));
        assertEquals(dir.toString(), e.getErrors().get(0).path());
        assertTrue(e.getErrors().get(0).message().startsWith("cannot be read: "), e.getMessage());
    }

    @Test
    void shapeErrorsAndMeaningErrorsAreAllListedOnePerLine() {
        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.parse(HEADER + """
                spec:
                  sources: [{name: pika-0, endpoint: {uri: 'http://127.0.0.1:6390/0'}}]
                  worker: {batchSize: 0, rateLimit: {keysPerSecond: -5}}
                """, "m.yaml"));
        assertEquals("""
                spec.sources[0].endpoint.uri: scheme 'http' is not supported; use redis:// or rediss://
                spec.target: is required: the store to copy into, e.g. target: {endpoint: {uri: redis://host:6379/0}}
                spec.worker.batchSize: is 0; use 1 to 100000
                spec.worker.rateLimit.keysPerSecond: is -5; use 0 for unlimited or a positive limit""", e.getMessage());
    }

    static Stream<Path> invalidManifests() throws IOException {
        try (Stream<Path> files = Files.list(manifest("invalid"))) {
            return files.sorted().toList().stream();
        }
    }

    private static void assertParseError(String specLines, String path, String message) {
        InvalidManifestException e = assertThrows(InvalidManifestException.class,
                () -> ManifestLoader.parse(HEADER + SOURCE_AND_TARGET + specLines, "m.yaml"));
        assertEquals(List.of(new FieldError(path, message)), e.getErrors());
    }

    private static void assertSecret(String name, String key, SecretKeyRef ref) {
        assertEquals(name + "/" + key, ref.toString());
    }

    private static Path manifest(String name) {
        try {
            return Path.of(ManifestLoaderTest.class.getResource("/manifests/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
