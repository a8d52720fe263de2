package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.testing.Datasets;
import io.keyferry.testing.DualWriter;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An application that keeps serving while it moves, through the operator: it follows the routing flag, writing
 * both stores (old first) at 300 writes/s over 3,000 of the 30,000 migrated keys, of every type, deletes among
 * them, while the backfill and the verification rounds run. ReadTarget, asked for from the start, is reached
 * within five minutes; with the application paused there, the stores are equal key by key.
 */
@EnableKubernetesMockClient(crud = true)
class DualWriteOperatorTest {
    /** Keys migrated: 30,000 in the build (the application writes 3,000 of them); -Dkeyferry.dualWriteKeys=100000 as before. */
    static final int KEYS = Integer.getInteger("keyferry.dualWriteKeys", 30_000);
    KubernetesClient client;

    @Test
    void readTargetIsReachedUnderABusyApplicationAndTheStoresAreEqualAtTheSwitch() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             RedisServer flags = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            Datasets.mixed(source, KEYS, 20);
            try (DualWriter app = new DualWriter(source, target, () -> flags.redis().get("migrate_user"),
                    Datasets.hotKeys(KEYS, 3_000), 300, 21)) {
                h.apply("""
                        apiVersion: keyferry.io/v1alpha1
                        kind: DataMigration
                        metadata: {name: live}
                        spec:
                          sources: [{name: old, endpoint: {uri: "%s"}}]
                          target: {endpoint: {uri: "%s"}}
                          phase: ReadTarget
                          cutover:
                            flag: {endpoint: {uri: "%s"}, key: migrate_user}
                            maxMismatches: 0
                            reverifySeconds: 5
                          verify: {mode: Full, rounds: 3, roundPauseSeconds: 1}
                        """.formatted(source.uri(), target.uri(), flags.uri()));

                DataMigration reading = h.await("live", "ReadTarget in force", Duration.ofMinutes(5),
                        dm -> dm.getStatus() != null && dm.getStatus().getPhase() == Phase.READ_TARGET);
                assertEquals("0111", flags.redis().get("migrate_user"));
                assertTrue(app.writes() > 300, "the application kept writing: " + app.writes());
                System.out.println("dual-write through the operator: " + conditionMessage(reading, "Verified")
                        + "; verification rounds " + reading.getStatus().getVerification());

                app.pause();
                Map<String, String> differences = DualWriter.differences(source, target);
                assertEquals(Map.of(), differences, differences.size() + " keys differ at the switch");
            }
        }
    }
}
