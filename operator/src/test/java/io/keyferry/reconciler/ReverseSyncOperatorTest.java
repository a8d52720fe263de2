package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import io.keyferry.testing.peers.StoreDouble;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Reverse sync (spec.cutover.reverseSync) through the operator, real redis-servers and in-process workers: entering
 * TargetOnly starts a reverse Job that follows the target back into the first source; writes made to the target alone
 * (strings, hashes, lists, a delete, an EXPIRE) are in the old store before the flag returns to 1101 (DualWrite); the
 * first rollback decision is always TransitionBlocked naming the reverse lag; KeyFerry's own keys and keys outside the
 * source's key range are not copied back; the reverse Job stops once DualWrite is in force.
 */
@EnableKubernetesMockClient(crud = true)
class ReverseSyncOperatorTest {
    KubernetesClient client;

    @Test
    void aRollbackFromTargetOnlyWaitsUntilTheOldStoreHoldsTheTargetsWrites() {
        try (RedisServer source = RedisServer.withDebugCommand(); RedisServer target = RedisServer.withDebugCommand();
             RedisServer flags = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < 200; i++) {
                source.redis().set("app:s:" + i, "v" + i);
                source.redis().hset("app:h:" + i, Map.of("f", "x" + i, "g", "y"));
            }
            source.redis().rpush("app:list", "a", "b");
            source.redis().set("other:untouched", "old");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: back}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}, keys: {match: "app:*"}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      phase: DualWrite
                      cutover:
                        flag: {endpoint: {uri: "%s"}, key: migrate_user}
                        maxLagSeconds: 1
                        reverseSync: true
                      verify: {mode: Full, rounds: 1, roundPauseSeconds: 0}
                    """.formatted(source.uri(), target.uri(), flags.uri()));
            h.await("back", "DualWrite, copied and verified", Duration.ofSeconds(30), dm -> dm.getStatus().getVerification() != null
                    && dm.getStatus().getPhase() == Phase.DUAL_WRITE);
            // Writes the application makes after the flag moved to TargetOnly, before the reverse worker's pod runs: the
            // reverse sync starts from where the target stood during ReadTarget, so it misses none of them.
            h.kubelet.beforePod(job -> {
                if (isReverse(job)) {
                    target.redis().del("app:s:7");
                    target.redis().set("app:s:8", "while starting");
                }
            });
            h.setPhase("back", Phase.READ_TARGET);
            h.await("back", "ReadTarget", Duration.ofSeconds(30), dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);
            h.setPhase("back", Phase.TARGET_ONLY);
            DataMigration following = h.await("back", "TargetOnly with the reverse sync following", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getPhase() == Phase.TARGET_ONLY && dm.getStatus().getReverseSync() != null
                            && dm.getStatus().getReverseSync().lagSeconds() != null);
            assertEquals(1, h.jobs().stream().filter(ReverseSyncOperatorTest::isReverse).count(), "one reverse Job");
            assertNull(following.getStatus().getReverseSync().rollbackAskedAt(), "no rollback asked yet");

            // The application writes the new store alone; KeyFerry's own keys and keys outside app:* are in it too.
            target.redis().set("app:s:1", "changed");
            target.redis().set("app:new", "fresh");
            target.redis().hset("app:h:2", "f", "changed");
            target.redis().rpush("app:list", "c");
            target.redis().lpush("app:newlist", "z", "y");
            target.redis().del("app:s:3");
            target.redis().hdel("app:h:4", "g");
            target.redis().expire("app:s:5", 600);
            target.redis().set("other:target-only", "not mine");
            target.redis().set("keyferry:checkpoint:{someone-else}", "state");
            target.redis().set("keyferry:undo:{someone-else}:1", "journal");

            AtomicReference<Map<String, String>> atFlip = watchFlag(flags, source);
            h.setPhase("back", Phase.DUAL_WRITE);
            h.await("back", "the rollback first blocked on the reverse lag", Duration.ofSeconds(30), dm -> h.events("back")
                    .stream().anyMatch(e -> "TransitionBlocked".equals(e.getReason())
                            && e.getMessage().contains("TargetOnly stays in force: the reverse sync")
                            && e.getMessage().contains("spec.cutover.maxLagSeconds is 1 s")));
            DataMigration back = h.await("back", "DualWrite again", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getPhase() == Phase.DUAL_WRITE);
            assertEquals("1101", flags.redis().get("migrate_user"));
            Map<String, String> seen = awaitValue(atFlip);

            Map<String, String> expected = digests(target, "app:*");
            assertEquals(expected, only(seen, "app:"), "when the flag returned to 1101 the old store held the target's writes");
            assertTrue(source.redis().ttl("app:s:5") > 0, "the EXPIRE reached the old store");
            assertEquals(0, source.redis().exists("app:s:3"), "the delete reached the old store");
            assertEquals("old", source.redis().get("other:untouched"));
            assertEquals(0, source.redis().exists("other:target-only"), "keys outside the range stay where they are");
            List<String> own = source.redis().keys("keyferry:*");
            assertEquals(List.of("keyferry:checkpoint:{" + back.getMetadata().getUid() + ":reverse:follow}"), own,
                    "KeyFerry's own keys in the target are not copied back; only the reverse position is kept here");
            assertNull(back.getStatus().getReverseSync(), "no reverse sync outside TargetOnly");
            h.await("back", "the reverse Job stopped", Duration.ofSeconds(30),
                    dm -> h.jobs().stream().noneMatch(ReverseSyncOperatorTest::isReverse));
        }
    }

    @Test
    void aPikaTargetHasNoChangeCaptureSoTargetOnlyIsNotEnteredWithReverseSync() {
        try (RedisServer source = RedisServer.start(); RedisServer backend = RedisServer.start();
             StoreDouble pika = StoreDouble.pika(backend); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            source.redis().set("k", "v");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: pika}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      phase: TargetOnly
                      cutover:
                        flag: {endpoint: {uri: "%s"}, key: migrate_user}
                        reverseSync: true
                      verify: {mode: Full, rounds: 1, roundPauseSeconds: 0}
                    """.formatted(source.uri(), pika.uri(), flags.uri()));
            DataMigration blocked = h.await("pika", "TargetOnly blocked: the reverse sync cannot start", Duration.ofSeconds(40),
                    dm -> OperatorHarness.condition(dm, "TransitionBlocked", "True") && OperatorHarness.conditionMessage(dm,
                            "TransitionBlocked").contains("the reverse sync cannot start"));
            String message = OperatorHarness.conditionMessage(blocked, "TransitionBlocked");
            assertTrue(message.contains("ReadTarget stays in force: the reverse sync cannot start: spec.cutover.reverseSync"
                    + " is true, but the target (followed back into the first source) cannot be followed: spec.target: Pika"
                    + " offers no change capture") && message.contains("set spec.cutover.reverseSync to false"), message);
            assertEquals(Phase.READ_TARGET, blocked.getStatus().getPhase());
            assertEquals("0111", flags.redis().get("migrate_user"), "the flag stays at ReadTarget: the application still"
                    + " writes the old store");
            OperatorHarness.sleep(500); // a few reconciles: the refused mark is not retried
            assertEquals(1, h.jobs().stream().filter(j -> "reverse-mark".equals(j.getMetadata().getLabels()
                    .get(WorkerJobs.STAGE_LABEL))).count(), "a refused mark is not retried");
            assertEquals(0, h.jobs().stream().filter(ReverseSyncOperatorTest::isReverse).count(), "no reverse sync Job");
        }
    }

    /** Polls the flag; when it first reads 1101, the source's app:* digests are taken at once. */
    private static AtomicReference<Map<String, String>> watchFlag(RedisServer flags, RedisServer source) {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            long until = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < until) {
                if ("1101".equals(flags.redis().get("migrate_user"))) {
                    seen.set(digests(source, "*"));
                    return;
                }
                OperatorHarness.sleep(2);
            }
        }, "flag-watch");
        t.setDaemon(true);
        t.start();
        return seen;
    }

    private static Map<String, String> awaitValue(AtomicReference<Map<String, String>> ref) {
        for (int i = 0; i < 500 && ref.get() == null; i++) {
            OperatorHarness.sleep(10);
        }
        assertNotNull(ref.get(), "the flag watcher saw 1101");
        return ref.get();
    }

    private static Map<String, String> digests(RedisServer server, String pattern) {
        Map<String, String> out = new TreeMap<>();
        TargetSnapshot.of(server).digests().forEach((k, v) -> {
            if (pattern.equals("*") || k.startsWith(pattern.substring(0, pattern.length() - 1))) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Map<String, String> only(Map<String, String> digests, String prefix) {
        Map<String, String> out = new TreeMap<>(digests);
        out.keySet().removeIf(k -> !k.startsWith(prefix));
        return out;
    }

    private static boolean isReverse(io.fabric8.kubernetes.api.model.batch.v1.Job j) {
        return "reverse".equals(j.getMetadata().getLabels().get(WorkerJobs.STAGE_LABEL));
    }
}
