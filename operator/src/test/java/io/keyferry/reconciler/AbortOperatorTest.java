package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.Stage;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import io.keyferry.testing.UndoData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.phase Aborted through the operator: a merge of three sources into a pre-filled target, copied at DualWrite, is
 * undone by an undo worker (every key's DEBUG DIGEST-VALUE and TTL as before, DBSIZE the same, the flag at SourceOnly,
 * the abort in the history); an abort from ReadTarget, or without a journal, is refused and changes nothing.
 */
@EnableKubernetesMockClient(crud = true)
class AbortOperatorTest {
    private static final int KEYS = 120;
    KubernetesClient client;

    @Test
    void anAbortAtDualWritePutsTheTargetBackAsItWas() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
             RedisServer target = RedisServer.withDebugCommand(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            List<RedisServer> sources = List.of(s0, s1, s2);
            for (int s = 0; s < sources.size(); s++) {
                UndoData.source(sources.get(s), s, KEYS, true);
            }
            UndoData.target(target, KEYS, true);
            TargetSnapshot before = TargetSnapshot.of(target);
            h.apply(manifest("merged", sources, target, flags, "DualWrite",
                    "string: Overwrite, hash: Merge, list: Fill, set: Skip, zset: Merge, stream: Overwrite", null));
            DataMigration copied = h.await("merged", "copied at DualWrite", Duration.ofSeconds(60),
                    dm -> condition(dm, "Copied", "True"));
            // spec.undo.enabled unset: the first copy worker found the target holding keys, so every worker journals
            assertEquals(Boolean.TRUE, copied.getStatus().getUndo().enabled(), String.valueOf(copied.getStatus().getUndo()));
            assertTrue(copied.getStatus().getUndo().bytes() > 0, String.valueOf(copied.getStatus().getUndo()));
            assertTrue(before.changedIn(TargetSnapshot.of(target)) > KEYS, "the copy changed the target");
            // The dual-write verification repairs: it deletes the target's own keys (no source has them), journaled too.
            h.await("merged", "verified at DualWrite", Duration.ofSeconds(60), dm -> condition(dm, "Verified", "True"));
            assertEquals(0, target.redis().keys("own:*").size(), "the verification deleted the keys no source has");

            h.setPhase("merged", Phase.ABORTED);
            DataMigration aborted = h.await("merged", "Aborted", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getStage() == Stage.ABORTED);

            before.assertRestoredIn(TargetSnapshot.of(target), 0, "after the operator's abort\n" + String.join("\n", h.kubelet.log()));
            assertEquals("1100", flags.redis().get("migrate_user"), "the flag ends at SourceOnly");
            assertEquals(Phase.SOURCE_ONLY, aborted.getStatus().getPhase());
            assertTrue(condition(aborted, "Ready", "True") && conditionMessage(aborted, "Ready").startsWith("Aborted"),
                    conditionMessage(aborted, "Ready"));
            List<RollbackStatus.Transition> history = aborted.getStatus().getRollback().history();
            assertEquals(Phase.ABORTED, history.get(history.size() - 1).to(), history.toString());
            assertEquals(Phase.SOURCE_ONLY, history.get(history.size() - 2).to(), "the flag moved first: " + history);
            assertTrue(aborted.getStatus().getUndo().keysRestored() + aborted.getStatus().getUndo().keysDeleted() > KEYS,
                    aborted.getStatus().getUndo().toString());
            assertEquals(0L, aborted.getStatus().getUndo().keysDiffering());
            List<String> reasons = h.events("merged").stream().map(e -> e.getReason()).toList();
            assertTrue(reasons.contains("Aborted"), reasons.toString());
            assertTrue(h.jobs().stream().anyMatch(j -> j.getMetadata().getName().contains("-undo-")));
        }
    }

    /**
     * spec.abort on a one-shot merge; the first undo pod is lost after putting back a few segments (its progress saved,
     * as a pod killed mid-way leaves it): the next pod resumes after them, and the target is as before all the same.
     */
    @Test
    void aOneShotAbortResumesAfterALostUndoPod() {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start();
             RedisServer target = RedisServer.withDebugCommand(); OperatorHarness h = new OperatorHarness(client)) {
            List<RedisServer> sources = List.of(s0, s1);
            for (int s = 0; s < sources.size(); s++) {
                UndoData.source(sources.get(s), s, KEYS, true);
            }
            UndoData.target(target, KEYS, true);
            TargetSnapshot before = TargetSnapshot.of(target);
            String yaml = manifest("oneshot", sources, target, target, "x", "default: Overwrite", true)
                    .replaceAll("(?m)^  (phase|cutover):.*\n", "").replace("mode: Full", "mode: \"Off\"");
            DataMigration dm = h.apply(yaml);
            h.await("oneshot", "copied", Duration.ofSeconds(60), m -> condition(m, "Ready", "True"));
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
            h.kubelet.beforePod(job -> {
                if (job.getMetadata().getName().contains("-undo-") && first.getAndSet(false)) {
                    partialUndo(dm, target, 3);
                }
            });
            h.patchSpec("oneshot", Map.of("abort", true));
            DataMigration aborted = h.await("oneshot", "Aborted", Duration.ofSeconds(60),
                    m -> m.getStatus().getStage() == Stage.ABORTED);
            before.assertRestoredIn(TargetSnapshot.of(target), 0, "after a resumed abort\n" + String.join("\n", h.kubelet.log()));
            assertTrue(String.join("\n", h.kubelet.log()).contains("resuming after 3 segments"), h.kubelet.log().toString());
            assertTrue(condition(aborted, "Ready", "True"), conditionMessage(aborted, "Ready"));
        }
    }

    /**
     * The first undo pod is lost after its clean check, once it wrote the undone marker and removed the journal, before
     * it reported: the next pod finds no journal but the marker, reports the abort done (exit 0, not "no journal"),
     * and the operator removes the marker as it records Aborted: the target is exactly as before, DBSIZE included.
     */
    @Test
    void anUndoPodLostAfterRemovingTheJournalStillEndsAborted() {
        try (RedisServer s0 = RedisServer.start(); RedisServer target = RedisServer.withDebugCommand();
             OperatorHarness h = new OperatorHarness(client)) {
            UndoData.source(s0, 0, KEYS, true);
            UndoData.target(target, KEYS, true);
            TargetSnapshot before = TargetSnapshot.of(target);
            String yaml = manifest("lostafter", List.of(s0), target, target, "x", "default: Overwrite", true)
                    .replaceAll("(?m)^  (phase|cutover):.*\n", "").replace("mode: Full", "mode: \"Off\"");
            DataMigration dm = h.apply(yaml);
            h.await("lostafter", "copied", Duration.ofSeconds(60), m -> condition(m, "Ready", "True"));
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
            h.kubelet.beforePod(job -> {
                if (job.getMetadata().getName().contains("-undo-") && first.getAndSet(false)) {
                    undoneThenLost(dm, target);
                }
            });
            h.patchSpec("lostafter", Map.of("abort", true));
            DataMigration aborted = h.await("lostafter", "Aborted", Duration.ofSeconds(60),
                    m -> m.getStatus().getStage() == Stage.ABORTED);
            String log = String.join("\n", h.kubelet.log());
            assertTrue(log.contains("an earlier worker put the target back and checked it"), log);
            before.assertRestoredIn(TargetSnapshot.of(target), 0, "after an undo pod lost past its check\n" + log);
            assertEquals(0L, keyferryKeys(target), "the marker is removed with the Aborted status");
            assertTrue(aborted.getStatus().getUndo().keysRestored() + aborted.getStatus().getUndo().keysDeleted() >= KEYS,
                    aborted.getStatus().getUndo().toString());
        }
    }

    /** What a pod lost after its check and the journal's removal leaves: the target put back, only the marker left. */
    private static void undoneThenLost(DataMigration dm, RedisServer target) {
        String id = dm.getMetadata().getUid();
        try (io.keyferry.engine.undo.UndoRun run = new io.keyferry.engine.undo.UndoRun(id, dm.getSpec(),
                new io.keyferry.engine.FileSecretResolver(null), t -> new io.keyferry.engine.undo.TargetSegmentStore(t.get(), id, true))) {
            run.prepare();
            io.keyferry.engine.undo.UndoResult done = run.restore(n -> { });
            io.keyferry.engine.undo.UndoResult checked = run.check();
            assertTrue(checked.clean());
            run.markUndone("restored=" + done.restored() + " deleted=" + (done.deleted() + done.expired())
                    + " checked=" + checked.checked());
        }
        String marker = io.keyferry.engine.undo.TargetSegmentStore.undoneKey(id);
        io.keyferry.engine.StateCleanup.removeMatching(dm.getSpec().getTarget().getEndpoint(), "spec.target.endpoint",
                new io.keyferry.engine.FileSecretResolver(null), io.keyferry.engine.StateCleanup.pattern(id), marker);
        assertEquals(1L, keyferryKeys(target), "only the marker is left");
    }

    /** What a pod lost mid-way leaves: {@code segments} segments put back, the progress saved, then nothing. */
    private static void partialUndo(DataMigration dm, RedisServer target, int segments) {
        String id = dm.getMetadata().getUid();
        try (io.keyferry.engine.undo.UndoRun run = new io.keyferry.engine.undo.UndoRun(id, dm.getSpec(),
                new io.keyferry.engine.FileSecretResolver(null), t -> new io.keyferry.engine.undo.TargetSegmentStore(t.get(), id, true))) {
            run.prepare();
            assertTrue(run.segments() > segments, "a journal of " + run.segments() + " segments");
            run.restore(done -> {
                if (done >= segments) {
                    throw new IllegalStateException("lost");
                }
            });
        } catch (IllegalStateException lost) {
            // the pod is gone; its progress stays in the target
        }
    }

    @Test
    void anAbortFromReadTargetOrWithoutAJournalIsRefusedAndChangesNothing() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             RedisServer other = RedisServer.start(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < 50; i++) {
                source.redis().set("k:" + i, "v" + i);
            }
            h.apply(manifest("reading", List.of(source), target, flags, "ReadTarget", "default: Overwrite", true)
                    .replace("migrate_user", "flag_a"));
            h.await("reading", "ReadTarget", Duration.ofSeconds(60), dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);
            h.setPhase("reading", Phase.ABORTED);
            DataMigration refused = h.await("reading", "refused", Duration.ofSeconds(30),
                    dm -> condition(dm, "Stalled", "True"));
            assertTrue(conditionMessage(refused, "Stalled").contains("roll back to DualWrite first"),
                    conditionMessage(refused, "Stalled"));
            assertEquals("0111", flags.redis().get("flag_a"));
            assertEquals(50L, target.redis().dbsize() - keyferryKeys(target));

            h.apply(manifest("unjournaled", List.of(source), other, flags, "DualWrite", "default: Overwrite", false)
                    .replace("migrate_user", "flag_b"));
            h.await("unjournaled", "copied", Duration.ofSeconds(60), dm -> condition(dm, "Copied", "True"));
            long keys = other.redis().dbsize() - keyferryKeys(other);
            h.patchSpec("unjournaled", Map.of("phase", "Aborted"));
            DataMigration noJournal = h.await("unjournaled", "refused", Duration.ofSeconds(30),
                    dm -> condition(dm, "Stalled", "True"));
            assertTrue(conditionMessage(noJournal, "Stalled").contains("spec.undo.enabled"), conditionMessage(noJournal, "Stalled"));
            assertEquals("1101", flags.redis().get("flag_b"), "the flag is not moved");
            assertEquals(keys, other.redis().dbsize() - keyferryKeys(other));
            assertTrue(h.jobs().stream().noneMatch(j -> j.getMetadata().getName().contains("-undo-")));
        }
    }

    private static long keyferryKeys(RedisServer server) {
        return server.redis().keys("keyferry:*").size();
    }

    private static String manifest(String name, List<RedisServer> sources, RedisServer target, RedisServer flags,
                                   String phase, String policies, Boolean undo) {
        StringBuilder yaml = new StringBuilder("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: "
                + name + "}\nspec:\n  sources:\n");
        for (int s = 0; s < sources.size(); s++) {
            yaml.append("  - {name: s").append(s).append(", endpoint: {uri: \"").append(sources.get(s).uri()).append("\"}}\n");
        }
        return yaml.append("  target: {endpoint: {uri: \"").append(target.uri()).append("\"}}\n")
                .append("  policies: {").append(policies).append(", typeMismatch: Overwrite}\n")
                .append("  phase: ").append(phase).append("\n")
                .append("  cutover: {flag: {endpoint: {uri: \"").append(flags.uri()).append("\"}, key: migrate_user},")
                .append(" maxMismatches: 0, reverifySeconds: 600}\n")
                .append("  verify: {mode: ").append("Full").append("}\n")
                .append("  worker: {batchSize: 50}\n")
                .append(undo == null ? "" : "  undo: {enabled: " + undo + "}\n").toString();
    }
}
