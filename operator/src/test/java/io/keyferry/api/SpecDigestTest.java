package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.keyferry.reconciler.WorkerJobs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator upgrade that adds a spec field must not change the digests of a migration in flight (its copy identity,
 * its Jobs' attempt, its checkpoint's fingerprint): the digests leave out nulls and values equal to the model's
 * defaults. The digests of the reference manifest, as this version computes them, are stored here: a later version
 * that changes them restarts every migration in flight, and must not.
 */
class SpecDigestTest {
    private static final Path FULL = Path.of("src/test/resources/manifests/valid/full.yaml");

    @Test
    void theReferenceManifestKeepsTheDigestsStoredFromThisVersion() {
        DataMigrationSpec spec = ManifestLoader.load(FULL).getSpec();
        assertEquals("471a2fa11eaaabe13c3bbfda02727c14988e936994e65d7ffdce78f868929353", digest(copyParts(spec)));
        assertEquals("fbedbff9", WorkerJobs.attempt(spec));
    }

    @Test
    void valuesSetToTheirDefaultsAndNullsChangeNoDigest() {
        DataMigrationSpec spec = ManifestLoader.load(FULL).getSpec();
        String copy = digest(copyParts(spec));
        String attempt = WorkerJobs.attempt(spec);

        spec.getVerify().setTtlToleranceMs(2000);
        spec.getVerify().setRoundPauseSeconds(2);
        spec.getWorker().setBackoffLimit(3);
        spec.getSources().get(0).getEndpoint().setCluster(null);
        spec.setRetryNonce(null);

        assertEquals(copy, digest(copyParts(spec)));
        assertEquals(attempt, WorkerJobs.attempt(spec));
        spec.getWorker().setBatchSize(2000); // the default since 2026-12-07; 500 (full.yaml's) was it before
        assertEquals(attempt, WorkerJobs.attempt(spec), "a former default counts as the default");
        spec.getWorker().setBatchSize(501);
        assertNotEquals(attempt, WorkerJobs.attempt(spec), "a value that differs from the default still counts");
    }

    private static String digest(Map<String, Object> parts) {
        return SpecDigest.of(parts);
    }

    private static Map<String, Object> copyParts(DataMigrationSpec spec) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("sources", spec.getSources());
        parts.put("target", spec.getTarget());
        parts.put("policies", spec.getPolicies());
        return parts;
    }
}
