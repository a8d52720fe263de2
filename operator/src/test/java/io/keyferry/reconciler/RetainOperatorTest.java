package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.keyferry.reconciler.CleanupOperatorTest.own;
import static io.keyferry.reconciler.CleanupOperatorTest.reasons;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.UndoStatus;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.undo.retainSeconds: once a one-shot migration succeeded, its journal is removed from the target that long
 * after (status.undo.retainedUntil is the finish plus retainSeconds, status.undo.removedAt records it, a full SCAN finds
 * no key of the journal, an Event says so), and an abort after that is refused naming the removal; a migration without
 * retainSeconds keeps its journal. A migration without verification has its checkpoints removed when it finished.
 */
@EnableKubernetesMockClient(crud = true)
class RetainOperatorTest {
    private static final int KEYS = 300;
    KubernetesClient client;

    @Test
    void theJournalGoesRetainSecondsAfterTheFinishAndAnAbortIsThenRefused() {
        try (RedisServer source = RedisServer.start(); RedisServer retained = RedisServer.start();
             RedisServer kept = RedisServer.start(); RedisServer unverified = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < KEYS; i++) {
                source.redis().set("user:" + i, "new" + i);
            }
            for (RedisServer target : List.of(retained, kept)) {
                target.redis().set("user:0", "the target's own"); // the target held keys: the journal is on
            }
            h.apply(manifest("retained", source, retained, "  undo: {retainSeconds: 1}\n"));
            DataMigration keeping = h.apply(manifest("kept", source, kept, ""));
            h.apply(manifest("unverified", source, unverified, "  verify: {mode: \"Off\"}\n"));

            DataMigration removed = h.await("retained", "the journal removed", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getUndo() != null && dm.getStatus().getUndo().removedAt() != null);
            UndoStatus undo = removed.getStatus().getUndo();
            Instant finished = Instant.parse(removed.getStatus().getConditions().stream()
                    .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getLastTransitionTime());
            assertEquals(finished.plusSeconds(1), Instant.parse(undo.retainedUntil()), undo.toString());
            assertFalse(Instant.parse(undo.removedAt()).isBefore(Instant.parse(undo.retainedUntil())), undo.toString());
            assertEquals(List.of(), own(retained.redis()), "a full SCAN finds nothing of the journal (nor the checkpoints)");
            assertEquals(KEYS, retained.redis().dbsize(), "every key of the user's stays");
            assertTrue(reasons(h, "retained").contains("JournalRemoved"), reasons(h, "retained").toString());

            DataMigration other = h.await("kept", "Ready", Duration.ofSeconds(60), dm -> condition(dm, "Ready", "True"));
            assertNull(other.getStatus().getUndo().retainedUntil(), other.getStatus().getUndo().toString());
            assertTrue(own(kept.redis()).contains("keyferry:undo:{" + keeping.getMetadata().getUid() + "}"),
                    "without retainSeconds the journal stays: " + own(kept.redis()));

            // Without a verification (which removes the copies' checkpoints when clean) the operator removes them once
            // the migration finished, with the decision of no journal (the target was empty): nothing of KeyFerry's stays.
            DataMigration unverifiedDone = h.await("unverified", "its state removed", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getStateRemovedAt() != null);
            assertTrue(condition(unverifiedDone, "Ready", "True"), conditionMessage(unverifiedDone, "Ready"));
            assertEquals(List.of(), own(unverified.redis()), "a full SCAN finds nothing of KeyFerry's");
            assertEquals(KEYS, unverified.redis().dbsize());
            assertTrue(reasons(h, "unverified").contains("StateRemoved"), reasons(h, "unverified").toString());

            h.patchSpec("retained", Map.of("abort", true));
            DataMigration refused = h.await("retained", "the abort refused", Duration.ofSeconds(30),
                    dm -> condition(dm, "Stalled", "True"));
            String message = conditionMessage(refused, "Stalled");
            assertTrue(message.contains("AbortRefused") && message.contains("removed at " + undo.removedAt())
                    && message.contains("spec.undo.retainSeconds"), message);
            assertTrue(h.jobs().stream().noneMatch(j -> j.getMetadata().getName().contains("-undo-")));
            assertEquals("new1", retained.redis().get("user:1"), "nothing was put back");
        }
    }

    private static String manifest(String name, RedisServer source, RedisServer target, String undo) {
        return """
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: %s}
                spec:
                  sources: [{name: a, endpoint: {uri: "%s"}}]
                  target: {endpoint: {uri: "%s"}}
                  policies: {default: Overwrite}
                """.formatted(name, source.uri(), target.uri()) + undo;
    }
}
