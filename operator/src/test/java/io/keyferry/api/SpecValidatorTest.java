package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a DataMigration must satisfy before anything connects to a store. */
class SpecValidatorTest {
    private final DataMigration dm = minimalMigration();
    private final DataMigrationSpec spec = dm.getSpec();
    private final SourceSpec source = spec.getSources().get(0);

    @Test
    void oneSourceAndATargetAreEnough() {
        assertErrors();
    }

    @Test
    void headerMustNameADataMigrationOfThisVersion() {
        assertEquals(List.of(), SpecValidator.validateHeader("keyferry.io/v1alpha1", "DataMigration"));
        assertEquals(List.of(
                        new FieldError("apiVersion", "is 'keyferry.io/v1'; use keyferry.io/v1alpha1"),
                        new FieldError("kind", "is 'Deployment'; this file must hold a DataMigration")),
                SpecValidator.validateHeader("keyferry.io/v1", "Deployment"));
        assertEquals(List.of(
                        new FieldError("apiVersion", "is required; set it to keyferry.io/v1alpha1"),
                        new FieldError("kind", "is required; set it to DataMigration")),
                SpecValidator.validateHeader(null, null));
    }

    @Test
    void metadataNameIsRequiredAndADnsSubdomain() {
        dm.getMetadata().setName(null);
        assertErrors(new FieldError("metadata.name", "is required: the name of this DataMigration"));
        dm.getMetadata().setName("Users_Migration");
        assertErrors(new FieldError("metadata.name", "'Users_Migration' is not valid: use lowercase letters,"
                + " digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"));
    }

    @Test
    void continuousSyncTakesListsUnderMergeAndClusterSources() {
        spec.getSync().setMode(SyncMode.CONTINUOUS);
        spec.getPolicies().setList(Policy.MERGE);
        source.getEndpoint().setCluster(true);
        assertErrors();
    }

    @Test
    void syncStopAfterSecondsIsNotNegative() {
        spec.getSync().setStopAfterSeconds(-1);
        assertErrors(new FieldError("spec.sync.stopAfterSeconds", "is -1; use 0 or more"));
    }

    @Test
    void specIsRequired() {
        dm.setSpec(null);
        assertErrors(new FieldError("spec", "is required: the sources, the target and how to copy"));
    }

    @Test
    void atLeastOneSourceIsRequired() {
        spec.getSources().clear();
        assertErrors(new FieldError("spec.sources", "at least one source is required"));
    }

    @Test
    void sourceNameIsRequired() {
        source.setName("");
        assertErrors(new FieldError("spec.sources[0].name",
                "is required: a short name for status, checkpoints and reports, e.g. pika-0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Pika-0", "pika_0", "-pika", "pika.0", "a-name-that-is-much-longer-than-the-sixty-three-characters-allowed"})
    void sourceNameIsADnsLabel(String name) {
        source.setName(name);
        assertErrors(new FieldError("spec.sources[0].name", "'" + name + "' is not valid: use lowercase letters,"
                + " digits and '-', starting and ending with a letter or digit, at most 63 characters"));
    }

    @Test
    void sourceNamesAreUnique() {
        spec.getSources().add(source("pika-1", "redis://127.0.0.1:6391/0"));
        spec.getSources().add(source("pika-0", "redis://127.0.0.1:6392/0"));
        assertErrors(new FieldError("spec.sources[2].name", "duplicate source name 'pika-0', also at spec.sources[0].name"));
    }

    @Test
    void sourceEndpointIsRequired() {
        source.setEndpoint(null);
        assertErrors(new FieldError("spec.sources[0].endpoint", "is required, e.g. endpoint: {uri: redis://host:6379/0}"));
    }

    @Test
    void targetIsRequired() {
        spec.setTarget(null);
        assertErrors(new FieldError("spec.target",
                "is required: the store to copy into, e.g. target: {endpoint: {uri: redis://host:6379/0}}"));
    }

    @Test
    void targetEndpointIsRequired() {
        spec.getTarget().setEndpoint(null);
        assertErrors(new FieldError("spec.target.endpoint", "is required, e.g. endpoint: {uri: redis://host:6379/0}"));
    }

    @Test
    void uriIsRequired() {
        spec.getTarget().getEndpoint().setUri(null);
        assertErrors(new FieldError("spec.target.endpoint.uri", "is required, e.g. redis://host:6379/0"));
    }

    @Test
    void uriProblemsAreReportedWithTheEndpointPath() {
        source.getEndpoint().setUri("http://127.0.0.1:6390/0");
        assertErrors(new FieldError("spec.sources[0].endpoint.uri",
                "scheme 'http' is not supported; use redis:// or rediss://"));
    }

    @Test
    void aSourceCannotBeTheTarget() {
        source.getEndpoint().setUri("redis://127.0.0.1:6399/0");
        assertErrors(new FieldError("spec.sources[0].endpoint.uri",
                "is the same store as spec.target.endpoint.uri; a source cannot be its own target"));
    }

    @Test
    void aClusterHasOnlyDatabase0() {
        source.getEndpoint().setCluster(true);
        source.getEndpoint().setUri("redis://127.0.0.1:6390/3");
        assertErrors(new FieldError("spec.sources[0].endpoint.uri",
                "selects database 3, but a Redis Cluster has only database 0"));
    }

    @Test
    void secretRefsNeedANameAndAKey() {
        source.getEndpoint().setPasswordSecretRef(new SecretKeyRef("", "pass word"));
        assertErrors(
                new FieldError("spec.sources[0].endpoint.passwordSecretRef.name", "is required: the name of the Secret"),
                new FieldError("spec.sources[0].endpoint.passwordSecretRef.key",
                        "'pass word' is not a valid Secret key: use letters, digits, '-', '_' and '.'"));
    }

    @Test
    void anAclUserNeedsAPassword() {
        source.getEndpoint().setUsernameSecretRef(new SecretKeyRef("pika-auth", "username"));
        assertErrors(new FieldError("spec.sources[0].endpoint.passwordSecretRef",
                "is required with usernameSecretRef: an ACL user logs in with a password"));
    }

    @Test
    void tlsSettingsNeedRediss() {
        spec.getTarget().getEndpoint().setTls(new TlsSpec());
        assertErrors(new FieldError("spec.target.endpoint.tls",
                "TLS settings need a rediss:// URI; change the scheme to rediss:// or remove tls"));
        spec.getTarget().getEndpoint().setUri("rediss://127.0.0.1:6399/0");
        assertErrors();
    }

    @Test
    void skippingVerificationContradictsACa() {
        TlsSpec tls = new TlsSpec();
        tls.setCaSecretRef(new SecretKeyRef("kvrocks-ca", "ca.crt"));
        tls.setInsecureSkipVerify(true);
        spec.getTarget().getEndpoint().setTls(tls);
        spec.getTarget().getEndpoint().setUri("rediss://127.0.0.1:6399/0");
        assertErrors(new FieldError("spec.target.endpoint.tls.insecureSkipVerify",
                "contradicts tls.caSecretRef: either verify the server with that CA or skip verification, not both"));
    }

    @Test
    void keysMatchMayNotBeEmpty() {
        source.getKeys().setMatch("");
        assertErrors(new FieldError("spec.sources[0].keys.match",
                "is empty; give a glob such as user:* or remove it to migrate all keys"));
    }

    @Test
    void keysTypesAreListedOnce() {
        source.getKeys().setTypes(List.of(DataType.HASH, DataType.ZSET, DataType.HASH));
        assertErrors(new FieldError("spec.sources[0].keys.types[2]", "'hash' is listed twice"));
    }

    @Test
    void mergeOnStringsIsRejected() {
        spec.getPolicies().setString(Policy.MERGE);
        assertErrors(new FieldError("spec.policies.string",
                "Merge does not apply to strings (two strings cannot be merged); use Overwrite, Fill or Skip"));
    }

    @Test
    void aMergeDefaultNeedsAnExplicitStringPolicy() {
        spec.getPolicies().setDefaultPolicy(Policy.MERGE);
        assertErrors(new FieldError("spec.policies.default", "Merge does not apply to strings (two strings cannot"
                + " be merged), and strings follow the default; set spec.policies.string to Overwrite, Fill or Skip"));
        spec.getPolicies().setString(Policy.OVERWRITE);
        assertErrors();
    }

    @Test
    void phaseNeedsCutover() {
        spec.setPhase(Phase.DUAL_WRITE);
        assertErrors(new FieldError("spec.phase",
                "needs spec.cutover (the routing flag to switch); remove spec.phase for a one-shot copy"));
    }

    @Test
    void reverseSyncRefusesARenamedFirstSourceAtItsField() {
        spec.setPhase(Phase.SOURCE_ONLY);
        spec.setCutover(cutover());
        spec.getCutover().setReverseSync(true);
        assertErrors();
        source.getKeys().setAddPrefix("new:");
        assertErrors(new FieldError("spec.cutover.reverseSync", "the first source (" + source.getName() + ") renames its"
                + " keys (keys.addPrefix new:), and a reverse sync that renames them back is not built; set reverseSync to"
                + " false (a rollback from TargetOnly then leaves the old store as it was), or migrate without addPrefix"));
        spec.getCutover().setReverseSync(false);
        assertErrors();
    }

    @Test
    void cutoverNeedsPhase() {
        spec.setCutover(cutover());
        assertErrors(new FieldError("spec.phase", "is required with spec.cutover; start with SourceOnly"));
    }

    @Test
    void cutoverNeedsAFlagWithEndpointAndKey() {
        spec.setPhase(Phase.SOURCE_ONLY);
        spec.setCutover(new CutoverSpec());
        assertErrors(new FieldError("spec.cutover.flag", "is required: where the application reads its routing flag,"
                + " e.g. flag: {endpoint: {uri: redis://app-config:6379/0}, key: migrate_user}"));
        spec.getCutover().setFlag(new FlagSpec());
        assertErrors(
                new FieldError("spec.cutover.flag.endpoint", "is required, e.g. endpoint: {uri: redis://host:6379/0}"),
                new FieldError("spec.cutover.flag.key", "is required: the key that holds the routing flag, e.g. migrate_user"));
    }

    @Test
    void maxMismatchesIsNotNegative() {
        spec.setPhase(Phase.SOURCE_ONLY);
        spec.setCutover(cutover());
        spec.getCutover().setMaxMismatches(-1);
        assertErrors(new FieldError("spec.cutover.maxMismatches", "is -1; use 0 or more"));
    }

    @Test
    void sampleNeedsAPercentAboveZeroUpTo100() {
        spec.getVerify().setMode(VerifyMode.SAMPLE);
        FieldError percentError = new FieldError("spec.verify.percent",
                "mode Sample needs the share of keys to check: more than 0, at most 100");
        assertErrors(percentError);
        spec.getVerify().setPercent(0.0);
        assertErrors(percentError);
        spec.getVerify().setPercent(100.5);
        assertErrors(percentError);
        spec.getVerify().setPercent(100.0);
        assertErrors();
    }

    @Test
    void percentBelongsToSampleOnly() {
        spec.getVerify().setPercent(10.0);
        assertErrors(new FieldError("spec.verify.percent", "applies only to mode Sample; remove it or set mode: Sample"));
    }

    @Test
    void aCutoverCannotGoWithoutVerification() {
        spec.setPhase(Phase.SOURCE_ONLY);
        spec.setCutover(cutover());
        spec.getVerify().setMode(VerifyMode.OFF);
        assertErrors(new FieldError("spec.verify.mode",
                "Off cannot be used with spec.cutover: ReadTarget needs a clean verification round; use Full or Sample"));
    }

    @Test
    void verifyRoundsAreAtLeastOne() {
        spec.getVerify().setRounds(0);
        assertErrors(new FieldError("spec.verify.rounds", "is 0; use 1 or more"));
    }

    @Test
    void parallelismIsAtLeastOne() {
        spec.getWorker().setParallelism(0);
        assertErrors(new FieldError("spec.worker.parallelism", "is 0; use 1 or more"));
    }

    @ParameterizedTest
    @ValueSource(ints = {-500, 0, 100_001})
    void batchSizeIsFrom1To100000(int batchSize) {
        spec.getWorker().setBatchSize(batchSize);
        assertErrors(new FieldError("spec.worker.batchSize", "is " + batchSize + "; use 1 to 100000"));
    }

    @Test
    void keysPerSecondIsNotNegativeAndZeroMeansUnlimited() {
        spec.getWorker().getRateLimit().setKeysPerSecond(0);
        assertErrors();
        spec.getWorker().getRateLimit().setKeysPerSecond(-10);
        assertErrors(new FieldError("spec.worker.rateLimit.keysPerSecond",
                "is -10; use 0 for unlimited or a positive limit"));
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        source.setName(null);
        spec.setTarget(null);
        spec.getWorker().setBatchSize(-1);
        assertEquals(List.of("spec.sources[0].name", "spec.target", "spec.worker.batchSize"),
                SpecValidator.validate(dm).stream().map(FieldError::path).toList());
    }

    private void assertErrors(FieldError... expected) {
        assertEquals(List.of(expected), SpecValidator.validate(dm));
    }

    private static DataMigration minimalMigration() {
        DataMigration dm = new DataMigration();
        dm.getMetadata().setName("users");
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.getSources().add(source("pika-0", "redis://127.0.0.1:6390/0"));
        TargetSpec target = new TargetSpec();
        target.setEndpoint(endpoint("redis://127.0.0.1:6399/0"));
        spec.setTarget(target);
        dm.setSpec(spec);
        return dm;
    }

    private static SourceSpec source(String name, String uri) {
        SourceSpec source = new SourceSpec();
        source.setName(name);
        source.setEndpoint(endpoint(uri));
        return source;
    }

    private static EndpointSpec endpoint(String uri) {
        EndpointSpec endpoint = new EndpointSpec();
        endpoint.setUri(uri);
        return endpoint;
    }

    private static CutoverSpec cutover() {
        FlagSpec flag = new FlagSpec();
        flag.setEndpoint(endpoint("redis://127.0.0.1:6398/0"));
        flag.setKey("migrate_user");
        CutoverSpec cutover = new CutoverSpec();
        cutover.setFlag(flag);
        return cutover;
    }
}
