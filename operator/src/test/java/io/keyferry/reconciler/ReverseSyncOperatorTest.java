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
    void aRollbackFromAPikaTargetRunsAReverseCopyBeforeTheFlagMoves() {
        try (RedisServer source = RedisServer.withDebugCommand(); RedisServer backend = RedisServer.withDebugCommand();
             StoreDouble pika = StoreDouble.pika(backend); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            for (int i = 0; i < 100; i++) {
                source.redis().set("app:s:" + i, "v" + i);
            }
            source.redis().hset("app:h", Map.of("f", "x", "g", "y"));
            source.redis().set("other:untouched", "old");
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: pika}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}, keys: {match: "app:*"}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      phase: DualWrite
                      cutover:
                        flag: {endpoint: {uri: "%s"}, key: migrate_user}
                        reverseSync: true
                      verify: {mode: Sample, percent: 1, rounds: 1, roundPauseSeconds: 0}
                    """.formatted(source.uri(), pika.uri(), flags.uri()));
            h.await("pika", "DualWrite, copied and verified", Duration.ofSeconds(30), dm -> dm.getStatus().getVerification() != null
                    && dm.getStatus().getPhase() == Phase.DUAL_WRITE);
            h.setPhase("pika", Phase.READ_TARGET);
            h.await("pika", "ReadTarget", Duration.ofSeconds(30), dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);
            h.setPhase("pika", Phase.TARGET_ONLY);
            h.await("pika", "TargetOnly: a Pika target is let in, its rollback copies back", Duration.ofSeconds(30),
                    dm -> dm.getStatus().getPhase() == Phase.TARGET_ONLY);
            assertEquals("0011", flags.redis().get("migrate_user"));

            // The application writes and deletes in the new store alone; keys outside app:* and KeyFerry's own keys
            // in the old store are none of the rollback's business.
            backend.redis().set("app:s:1", "changed");
            backend.redis().set("app:new", "fresh");
            backend.redis().hset("app:h", "f", "changed");
            backend.redis().del("app:s:3", "app:s:4");
            backend.redis().set("other:target-only", "not mine");
            source.redis().set("keyferry:checkpoint:{someone-else}", "state");
            source.redis().set("unrelated:in-old-store-only", "stays");
            // Written while the reverse copy's pod starts: the diff runs with TargetOnly in force, so it takes this too.
            h.kubelet.beforePod(job -> {
                if ("reverse-copy".equals(job.getMetadata().getLabels().get(WorkerJobs.STAGE_LABEL))) {
                    backend.redis().set("app:during", "late");
                    backend.redis().del("app:s:5");
                }
            });
            assertEquals(0, h.jobs().stream().filter(ReverseSyncOperatorTest::isReverse).count(), "nothing to follow");

            AtomicReference<Map<String, String>> atFlip = watchFlag(flags, source);
            h.setPhase("pika", Phase.DUAL_WRITE);
            DataMigration blocked = h.await("pika", "the rollback blocked on the reverse copy", Duration.ofSeconds(30),
                    dm -> OperatorHarness.condition(dm, "TransitionBlocked", "True"));
            String message = OperatorHarness.conditionMessage(blocked, "TransitionBlocked");
            assertTrue(message.contains("TargetOnly stays in force: the target has no change capture, so a full reverse"
                    + " diff runs first") && message.contains("slow on a big store"), message);
            assertEquals(Phase.TARGET_ONLY, blocked.getStatus().getPhase());
            h.await("pika", "DualWrite again", Duration.ofSeconds(40), dm -> dm.getStatus().getPhase() == Phase.DUAL_WRITE);
            assertEquals("1101", flags.redis().get("migrate_user"));
            Map<String, String> seen = awaitValue(atFlip);

            assertEquals(digests(backend, "app:*"), only(seen, "app:"), "when the flag returned to 1101 the old store"
                    + " held the target's writes, and the keys deleted from the target were gone from it");
            assertEquals("late", seen.get("app:during") == null ? null : source.redis().get("app:during"), "a write made"
                    + " while the reverse copy started is in the old store");
            assertEquals(0, source.redis().exists("app:s:3", "app:s:4", "app:s:5"), "the deletes reached the old store");
            assertEquals("old", source.redis().get("other:untouched"), "keys outside the range stay");
            assertEquals("stays", source.redis().get("unrelated:in-old-store-only"));
            assertEquals("state", source.redis().get("keyferry:checkpoint:{someone-else}"), "KeyFerry's own keys stay");
            assertEquals(0, source.redis().exists("other:target-only"), "keys outside the range are not copied back");
            assertTrue(h.events("pika").stream().anyMatch(e -> "WorkerStarted".equals(e.getReason())
                    && e.getMessage().contains("reverse copy and verification with repair")), "a reverse-copy Job ran");
            h.await("pika", "the reverse copy Job removed", Duration.ofSeconds(30), dm -> h.jobs().stream()
                    .noneMatch(j -> "reverse-copy".equals(j.getMetadata().getLabels().get(WorkerJobs.STAGE_LABEL))));
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
