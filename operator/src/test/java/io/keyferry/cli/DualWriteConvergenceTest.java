package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.Datasets;
import io.keyferry.testing.DualWriter;
import io.keyferry.testing.RedisServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without the operator: an application writes both stores (300 writes/s over 3,000 of the migrated keys, of every
 * type, deletes among them) while `keyferry run --guard-writes` backfills 30,000 keys under Fill and
 * `keyferry verify --repair --extra-keys` rounds (the old store is the truth: Overwrite) repair what differs.
 * A round comes out clean, and with the writer paused the two stores are equal key by key: types, values and
 * whether a TTL is set. Repairs that an application write raced are not written (and looked at again).
 */
class DualWriteConvergenceTest {
    /** Keys migrated: 30,000 in the build (the application writes 3,000 of them); -Dkeyferry.dualWriteKeys=100000 as before. */
    static final int KEYS = Integer.getInteger("keyferry.dualWriteKeys", 30_000);
    private static final String MANIFEST = """
            apiVersion: keyferry.io/v1alpha1
            kind: DataMigration
            metadata: {name: live}
            spec:
              sources: [{name: old, endpoint: {uri: "%s"}}]
              target: {endpoint: {uri: "%s"}}
              policies: {default: %s}
              verify: {mode: Full, rounds: 3, roundPauseSeconds: 1}
            """;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void repairRoundsConvergeUnderALiveWriterAndTheStoresEndEqual() {
        try (RedisServer old = RedisServer.start(); RedisServer neu = RedisServer.start()) {
            Datasets.mixed(old, KEYS, 20);
            Path backfill = CliRun.manifest(MANIFEST.formatted(old.uri(), neu.uri(), "Fill"));
            Path exact = CliRun.manifest(MANIFEST.formatted(old.uri(), neu.uri(), "Overwrite"));
            try (DualWriter app = new DualWriter(old, neu, null, Datasets.hotKeys(KEYS, 3_000), 300, 19)) {
                CliRun copied = CliRun.of("run", "-f", backfill.toString(), "--state-dir", CliRun.tempDir().toString(),
                        "--guard-writes", "--no-progress");
                assertTrue(copied.exitCode() == 0 || copied.exitCode() == 1, copied.toString()); // its own verify is Fill's

                int rounds = 0;
                CliRun verified;
                do {
                    verified = CliRun.of("verify", "-f", exact.toString(), "--repair", "--extra-keys", "--no-progress");
                    rounds++;
                    System.out.println("dual-write round " + rounds + ": " + verified.out().lines()
                            .filter(l -> l.startsWith("verification")).findFirst().orElse(verified.toString()));
                } while (verified.exitCode() != 0 && rounds < 8);
                assertEquals(0, verified.exitCode(), "no clean round in " + rounds + ": " + verified);
                assertTrue(app.writes() > 300, "the application kept writing: " + app.writes());

                app.pause();
                Map<String, String> differences = DualWriter.differences(old, neu);
                assertEquals(Map.of(), differences, differences.size() + " keys differ");
            }
        }
    }
}
