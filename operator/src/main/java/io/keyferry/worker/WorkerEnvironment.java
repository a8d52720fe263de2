package io.keyferry.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.api.FieldError;
import io.keyferry.api.InvalidManifestException;
import io.keyferry.api.ManifestLoader;
import java.io.IOException;
import java.util.Map;

/**
 * What the operator puts in a worker Job's environment: the spec as the operator resolved it (policies
 * in force for the phase included), where to report, and where the Secret volumes are mounted. No
 * credential is ever in it; they are files under {@link #SECRETS_DIR}.
 */
public record WorkerEnvironment(String migration, String namespace, String checkpointId, String reportConfigMap,
                                String secretsDir, DataMigrationSpec spec) {
    public static final String SPEC = "KEYFERRY_SPEC";
    public static final String MIGRATION = "KEYFERRY_MIGRATION";
    public static final String NAMESPACE = "KEYFERRY_NAMESPACE";
    public static final String CHECKPOINT_ID = "KEYFERRY_CHECKPOINT_ID";
    public static final String REPORT = "KEYFERRY_REPORT_CONFIGMAP";
    public static final String SECRETS_DIR = "KEYFERRY_SECRETS_DIR";
    /** Where the operator mounts the Secret volumes a spec refers to: DIR/<secret name>/<key>. */
    public static final String DEFAULT_SECRETS_DIR = "/var/run/keyferry/secrets";

    private static final ObjectMapper JSON = io.keyferry.engine.checkpoint.Checkpoint.JSON;

    /** Reads the environment, naming the first variable that is missing or wrong, and the field for the spec. */
    public static WorkerEnvironment from(Map<String, String> env) {
        DataMigrationSpec spec = spec(required(env, SPEC));
        return new WorkerEnvironment(required(env, MIGRATION), required(env, NAMESPACE), required(env, CHECKPOINT_ID),
                required(env, REPORT), env.getOrDefault(SECRETS_DIR, DEFAULT_SECRETS_DIR), spec);
    }

    public static String specJson(DataMigrationSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The spec, read as strictly as a manifest's; every problem names its field. */
    private static DataMigrationSpec spec(String json) {
        try {
            return ManifestLoader.parseSpec(json, "spec");
        } catch (InvalidManifestException e) {
            throw new MigrationInputException(SPEC + " is not a spec a worker can run: " + e.getErrors().stream()
                    .map(FieldError::toString).collect(java.util.stream.Collectors.joining("; "))
                    + "; worker pods are created by the operator, do not run them by hand", e);
        }
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new MigrationInputException("environment variable " + name + " is not set; worker pods are created"
                    + " by the operator with it, do not run them by hand");
        }
        return v;
    }
}
