package io.keyferry.api;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks what a DataMigration means, beyond its shape: required parts, names, endpoints,
 * policies and limits. Every problem is collected, so that one run shows the user all of them.
 */
public final class SpecValidator {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final int MAX_BATCH_SIZE = 100_000;

    private final List<FieldError> errors = new ArrayList<>();

    private SpecValidator() {}

    /**
     * Checks the type header of a manifest. A {@link DataMigration} object always reports its own
     * apiVersion and kind, so these are checked on the manifest text, before it is bound.
     */
    public static List<FieldError> validateHeader(String apiVersion, String kind) {
        SpecValidator v = new SpecValidator();
        v.checkHeader(apiVersion, kind);
        return v.errors;
    }

    /** Every problem found in the resource's metadata and spec; empty when it can run. */
    public static List<FieldError> validate(DataMigration dm) {
        SpecValidator v = new SpecValidator();
        v.checkMetadata(dm.getMetadata());
        v.checkSpec(dm.getSpec());
        return v.errors;
    }

    /** Every problem found in a spec alone (a worker's, which the operator resolved from a resource). */
    public static List<FieldError> validateSpec(DataMigrationSpec spec) {
        SpecValidator v = new SpecValidator();
        v.checkSpec(spec);
        return v.errors;
    }

    private void checkHeader(String apiVersion, String kind) {
        if (apiVersion == null) {
            error("apiVersion", "is required; set it to " + DataMigration.API_VERSION);
        } else if (!apiVersion.equals(DataMigration.API_VERSION)) {
            error("apiVersion", "is '" + apiVersion + "'; use " + DataMigration.API_VERSION);
        }
        if (kind == null) {
            error("kind", "is required; set it to " + DataMigration.KIND);
        } else if (!kind.equals(DataMigration.KIND)) {
            error("kind", "is '" + kind + "'; this file must hold a " + DataMigration.KIND);
        }
    }

    private void checkMetadata(ObjectMeta metadata) {
        String name = metadata == null ? null : metadata.getName();
        if (isBlank(name)) {
            error("metadata.name", "is required: the name of this DataMigration");
        } else if (!isDnsSubdomain(name)) {
            error("metadata.name", "'" + name + "' is not valid: use lowercase letters, digits, '-' and '.',"
                    + " starting and ending with a letter or digit, at most 253 characters");
        }
    }

    private void checkSpec(DataMigrationSpec spec) {
        if (spec == null) {
            error("spec", "is required: the sources, the target and how to copy");
            return;
        }
        checkSources(spec.getSources());
        checkTarget(spec.getTarget());
        if (spec.getUndo() != null && spec.getUndo().getStore() != null) {
            checkEndpoint("spec.undo.store", spec.getUndo().getStore());
        }
        checkSourcesAreNotTarget(spec);
        checkPolicies(spec.getPolicies());
        checkPhaseAndCutover(spec.getPhase(), spec.getCutover());
        String reverse = spec.getSources() == null ? null : reverseSyncProblem(spec);
        if (reverse != null) {
            error("spec.cutover.reverseSync", reverse);
        }
        checkVerify(spec.getVerify(), spec.getCutover() != null);
        checkWorker(spec.getWorker());
        errors.addAll(SyncRules.check(spec));
    }

    private void checkSources(List<SourceSpec> sources) {
        if (sources == null || sources.isEmpty()) {
            error("spec.sources", "at least one source is required");
            return;
        }
        Map<String, String> pathByName = new HashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            String path = "spec.sources[" + i + "]";
            SourceSpec source = sources.get(i);
            if (source == null) {
                error(path, "is empty; give the source a name and an endpoint");
                continue;
            }
            checkSourceName(path + ".name", source.getName(), pathByName);
            checkEndpoint(path + ".endpoint", source.getEndpoint());
            checkReadFrom(path + ".endpoint", source.getEndpoint());
            checkKeys(path + ".keys", source.getKeys());
        }
    }

    private void checkSourceName(String path, String name, Map<String, String> pathByName) {
        if (isBlank(name)) {
            error(path, "is required: a short name for status, checkpoints and reports, e.g. pika-0");
        } else if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
            error(path, "'" + name + "' is not valid: use lowercase letters, digits and '-',"
                    + " starting and ending with a letter or digit, at most 63 characters");
        } else {
            String first = pathByName.putIfAbsent(name, path);
            if (first != null) {
                error(path, "duplicate source name '" + name + "', also at " + first);
            }
        }
    }

    private void checkKeys(String path, KeySelector keys) {
        if (keys == null) {
            return;
        }
        if (keys.getMatch() != null && keys.getMatch().isEmpty()) {
            error(path + ".match", "is empty; give a glob such as user:* or remove it to migrate all keys");
        }
        List<DataType> types = keys.getTypes();
        Set<DataType> seen = new HashSet<>();
        for (int i = 0; types != null && i < types.size(); i++) {
            if (!seen.add(types.get(i))) {
                error(path + ".types[" + i + "]", "'" + types.get(i).wireName() + "' is listed twice");
            }
        }
    }

    private void checkTarget(TargetSpec target) {
        if (target == null) {
            error("spec.target", "is required: the store to copy into, e.g. target: {endpoint: {uri: redis://host:6379/0}}");
            return;
        }
        checkEndpoint("spec.target.endpoint", target.getEndpoint());
        if (target.getEndpoint() != null && target.getEndpoint().getReadFrom() != null) {
            error("spec.target.endpoint.readFrom", "applies to sources only: the target is written, never read from a replica");
        }
    }

    private void checkReadFrom(String path, EndpointSpec endpoint) {
        // Replica is valid for standalone sources (an online replica found through INFO) and for a Redis
        // Cluster (each master's replica, found in the cluster's topology).
    }

    /** Copying a store onto itself would at best do nothing and at worst destroy data. */
    private void checkSourcesAreNotTarget(DataMigrationSpec spec) {
        EndpointUri target = parsedUri(spec.getTarget() == null ? null : spec.getTarget().getEndpoint());
        List<SourceSpec> sources = spec.getSources() == null ? List.of() : spec.getSources();
        for (int i = 0; target != null && i < sources.size(); i++) {
            SourceSpec source = sources.get(i);
            if (source != null && target.equals(parsedUri(source.getEndpoint()))) {
                error("spec.sources[" + i + "].endpoint.uri",
                        "is the same store as spec.target.endpoint.uri; a source cannot be its own target");
            }
        }
    }

    private void checkEndpoint(String path, EndpointSpec endpoint) {
        if (endpoint == null) {
            error(path, "is required, e.g. endpoint: {uri: redis://host:6379/0}");
            return;
        }
        EndpointUri uri = checkUri(path + ".uri", endpoint.getUri());
        if (uri != null && endpoint.clusterEnabled() && uri.db() != 0) {
            error(path + ".uri", "selects database " + uri.db() + ", but a Redis Cluster has only database 0");
        }
        checkSecretRef(path + ".usernameSecretRef", endpoint.getUsernameSecretRef());
        checkSecretRef(path + ".passwordSecretRef", endpoint.getPasswordSecretRef());
        if (endpoint.getUsernameSecretRef() != null && endpoint.getPasswordSecretRef() == null) {
            error(path + ".passwordSecretRef", "is required with usernameSecretRef: an ACL user logs in with a password");
        }
        checkTls(path + ".tls", endpoint.getTls(), uri);
    }

    private EndpointUri checkUri(String path, String uri) {
        if (isBlank(uri)) {
            error(path, "is required, e.g. redis://host:6379/0");
            return null;
        }
        try {
            return EndpointUri.parse(uri);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
    }

    private void checkTls(String path, TlsSpec tls, EndpointUri uri) {
        if (tls == null) {
            return;
        }
        if (uri != null && !uri.tls()) {
            error(path, "TLS settings need a rediss:// URI; change the scheme to rediss:// or remove tls");
        }
        checkSecretRef(path + ".caSecretRef", tls.getCaSecretRef());
        if (tls.skipVerify() && tls.getCaSecretRef() != null) {
            error(path + ".insecureSkipVerify", "contradicts tls.caSecretRef: either verify the server"
                    + " with that CA or skip verification, not both");
        }
    }

    private void checkSecretRef(String path, SecretKeyRef ref) {
        if (ref == null) {
            return;
        }
        if (isBlank(ref.getName())) {
            error(path + ".name", "is required: the name of the Secret");
        } else if (!isDnsSubdomain(ref.getName())) {
            error(path + ".name", "'" + ref.getName() + "' is not a valid Secret name");
        }
        if (isBlank(ref.getKey())) {
            error(path + ".key", "is required: the key inside the Secret");
        } else if (!SECRET_KEY.matcher(ref.getKey()).matches()) {
            error(path + ".key", "'" + ref.getKey() + "' is not a valid Secret key: use letters, digits, '-', '_' and '.'");
        }
    }

    private void checkPolicies(PolicySpec policies) {
        if (policies == null || policies.forType(DataType.STRING).appliesTo(DataType.STRING)) {
            return;
        }
        if (policies.getString() != null) {
            error("spec.policies.string", "Merge does not apply to strings (two strings cannot be merged);"
                    + " use Overwrite, Fill or Skip");
        } else {
            error("spec.policies.default", "Merge does not apply to strings (two strings cannot be merged),"
                    + " and strings follow the default; set spec.policies.string to Overwrite, Fill or Skip");
        }
    }

    private void checkPhaseAndCutover(Phase phase, CutoverSpec cutover) {
        if (phase != null && cutover == null) {
            error("spec.phase", "needs spec.cutover (the routing flag to switch);"
                    + " remove spec.phase for a one-shot copy");
        }
        if (cutover == null) {
            return;
        }
        if (phase == null) {
            error("spec.phase", "is required with spec.cutover; start with SourceOnly");
        }
        checkFlag(cutover.getFlag());
        atLeast("spec.cutover.maxMismatches", cutover.getMaxMismatches(), 0);
    }

    /**
     * Why spec.cutover.reverseSync cannot be carried out for this spec (the first source renames its keys: renaming them
     * back is not built), or null when it can or is off.
     */
    public static String reverseSyncProblem(DataMigrationSpec spec) {
        if (spec.getCutover() == null || !spec.getCutover().reverseSyncOn() || spec.getSources().isEmpty()) {
            return null;
        }
        SourceSpec first = spec.getSources().get(0);
        String prefix = first.getKeys() == null ? null : first.getKeys().getAddPrefix();
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        return "the first source (" + first.getName() + ") renames its keys (keys.addPrefix " + prefix + "), and a reverse"
                + " sync that renames them back is not built; set reverseSync to false (a rollback from TargetOnly then"
                + " leaves the old store as it was), or migrate without addPrefix";
    }

    private void checkFlag(FlagSpec flag) {
        if (flag == null) {
            error("spec.cutover.flag", "is required: where the application reads its routing flag,"
                    + " e.g. flag: {endpoint: {uri: redis://app-config:6379/0}, key: migrate_user}");
            return;
        }
        checkEndpoint("spec.cutover.flag.endpoint", flag.getEndpoint());
        if (flag.getEndpoint() != null && flag.getEndpoint().getReadFrom() != null) {
            error("spec.cutover.flag.endpoint.readFrom", "applies to sources only: the flag is written where the application"
                    + " reads it; remove readFrom");
        }
        if (isBlank(flag.getKey())) {
            error("spec.cutover.flag.key", "is required: the key that holds the routing flag, e.g. migrate_user");
        }
    }

    private void checkVerify(VerifySpec verify, boolean cutover) {
        if (verify == null) {
            return;
        }
        VerifyMode mode = Objects.requireNonNullElse(verify.getMode(), VerifyMode.FULL);
        Double percent = verify.getPercent();
        if (mode == VerifyMode.SAMPLE && (percent == null || percent <= 0 || percent > 100)) {
            error("spec.verify.percent", "mode Sample needs the share of keys to check: more than 0, at most 100");
        }
        if (mode != VerifyMode.SAMPLE && percent != null) {
            error("spec.verify.percent", "applies only to mode Sample; remove it or set mode: Sample");
        }
        if (mode == VerifyMode.OFF && cutover) {
            error("spec.verify.mode", "Off cannot be used with spec.cutover: ReadTarget needs a clean"
                    + " verification round; use Full or Sample");
        }
        atLeast("spec.verify.rounds", verify.getRounds(), 1);
        atLeast("spec.verify.ttlToleranceMs", verify.getTtlToleranceMs(), 0);
        atLeast("spec.verify.roundPauseSeconds", verify.getRoundPauseSeconds(), 0);
    }

    private void checkWorker(WorkerSpec worker) {
        if (worker == null) {
            return;
        }
        atLeast("spec.worker.parallelism", worker.getParallelism(), 1);
        Integer batchSize = worker.getBatchSize();
        if (batchSize != null && (batchSize < 1 || batchSize > MAX_BATCH_SIZE)) {
            error("spec.worker.batchSize", "is " + batchSize + "; use 1 to " + MAX_BATCH_SIZE);
        }
        if (worker.getRateLimit() != null) {
            Integer keysPerSecond = worker.getRateLimit().getKeysPerSecond();
            if (keysPerSecond != null && keysPerSecond < 0) {
                error("spec.worker.rateLimit.keysPerSecond", "is " + keysPerSecond + "; use 0 for unlimited or a positive limit");
            }
        }
    }

    /** An unset number keeps its default, so only a number that is set is checked. */
    private void atLeast(String path, Integer value, int min) {
        if (value != null && value < min) {
            error(path, "is " + value + "; use " + min + " or more");
        }
    }

    private static EndpointUri parsedUri(EndpointSpec endpoint) {
        try {
            return endpoint == null ? null : EndpointUri.parse(endpoint.getUri());
        } catch (IllegalArgumentException e) {
            return null; // already reported where the endpoint itself is checked
        }
    }

    private static boolean isDnsSubdomain(String name) {
        return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }
}
