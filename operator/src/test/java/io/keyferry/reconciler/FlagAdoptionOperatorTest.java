package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The flag store, not status, is the truth, through the real operator on the mock API server: a resource re-created
 * without its status adopts the flag it finds (it used to write 1100, then 1101, sending the application back to the
 * old store), the same after the operator restarts, and a flag moved by another writer meanwhile is never overwritten.
 */
@EnableKubernetesMockClient(crud = true)
class FlagAdoptionOperatorTest {
    private static final String MANIFEST = """
            apiVersion: keyferry.io/v1alpha1
            kind: DataMigration
            metadata: {name: users}
            spec:
              sources: [{name: old, endpoint: {uri: "%s"}}]
              target: {endpoint: {uri: "%s"}}
              phase: %s
              cutover:
                flag: {endpoint: {uri: "%s"}, key: migrate_user}
              verify: {mode: Full, rounds: 1, roundPauseSeconds: 0}
            """;

    KubernetesClient client;

    @Test
    void aResourceRecreatedWithoutStatusAdoptsTheFlagAndNeverWritesItBackwards() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            flags.redis().set("migrate_user", "0011"); // the application reads and writes only the new store
            long setsBefore = flagWrites(flags);

            h.apply(MANIFEST.formatted(source.uri(), target.uri(), "TargetOnly", flags.uri()));
            DataMigration adopted = h.await("users", "TargetOnly adopted", Duration.ofSeconds(20),
                    dm -> dm.getStatus() != null && dm.getStatus().getPhase() == Phase.TARGET_ONLY && condition(dm, "Ready", "True"));

            assertEquals("0011", flags.redis().get("migrate_user"));
            RollbackStatus.Transition t = adopted.getStatus().getRollback().history().get(0);
            assertEquals(null, t.from());
            assertEquals(Phase.TARGET_ONLY, t.to());
            assertTrue(t.reason().startsWith("adopted: the flag store held 0011"), t.reason());
            assertTrue(h.events("users").stream().anyMatch(e -> e.getReason().equals("Adopted")));
            assertTrue(h.jobs().isEmpty(), "no worker: TargetOnly is in force");

            // The operator restarts (its cache lost); a spec change makes it reconcile; still nothing written.
            h.restartOperator();
            DataMigration changed = h.patchSpec("users", Map.of("retryNonce", "2"));
            long generation = changed.getMetadata().getGeneration();
            h.await("users", "the change observed", Duration.ofSeconds(20),
                    dm -> dm.getStatus().getObservedGeneration() != null && dm.getStatus().getObservedGeneration() == generation);
            assertEquals("0011", flags.redis().get("migrate_user"));
            assertEquals(setsBefore, flagWrites(flags), "the operator never wrote the flag");
            assertTrue(h.history("users").stream().allMatch(dm -> dm.getStatus() == null || dm.getStatus().getPhase() == null
                    || dm.getStatus().getPhase() == Phase.TARGET_ONLY), "status never recorded another phase");
        }
    }

    /**
     * Another writer (a second installation, a person, a deposed leader) moves the flag while this operator believes
     * DualWrite is in force; its next move's compare-and-set finds the other value, writes nothing, says so, and the
     * flag found is adopted: the ladder goes on from there (here the rollback spec.phase asks for).
     */
    @Test
    void aFlagMovedByAnotherWriterIsNeverOverwrittenButAdopted() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            h.apply(MANIFEST.formatted(source.uri(), target.uri(), "DualWrite", flags.uri()));
            h.await("users", "DualWrite in force", Duration.ofSeconds(30), dm -> dm.getStatus() != null
                    && dm.getStatus().getPhase() == Phase.DUAL_WRITE && condition(dm, "Ready", "True"));
            assertEquals("1101", flags.redis().get("migrate_user"));

            flags.redis().set("migrate_user", "0111"); // moved elsewhere, behind this operator's back
            h.setPhase("users", Phase.SOURCE_ONLY);
            DataMigration back = h.await("users", "rolled back to SourceOnly from the adopted ReadTarget", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getPhase() == Phase.SOURCE_ONLY);

            assertEquals("1100", flags.redis().get("migrate_user"));
            List<String> reasons = h.events("users").stream().map(e -> e.getReason()).toList();
            assertTrue(reasons.contains("FlagConflict"), reasons.toString());
            assertTrue(reasons.contains("Adopted"), reasons.toString());
            List<String> path = back.getStatus().getRollback().history().stream()
                    .map(t -> Decider.name(t.from()) + ">" + Decider.name(t.to()) + ":" + t.flag()).toList();
            assertEquals(List.of("none>SourceOnly:1100", "SourceOnly>DualWrite:1101", "DualWrite>ReadTarget:0111",
                    "ReadTarget>DualWrite:1101", "DualWrite>SourceOnly:1100"), path);
            assertTrue(back.getStatus().getRollback().history().get(2).reason().startsWith("adopted"), path.toString());
        }
    }

    /** SET calls the flag store has served, MULTI/EXEC included. */
    private static long flagWrites(RedisServer flags) {
        String stats = flags.redis().info("commandstats");
        return stats.lines().filter(l -> l.startsWith("cmdstat_set:")).mapToLong(l -> Long.parseLong(
                l.substring(l.indexOf("calls=") + 6, l.indexOf(',', l.indexOf("calls="))))).sum();
    }
}
