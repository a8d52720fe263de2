package io.keyferry.reconciler;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.keyferry.reconciler.OperatorHarness.condition;
import static io.keyferry.reconciler.OperatorHarness.conditionMessage;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The cutover ladder through the operator: SourceOnly (1100) -> DualWrite (1101, backfill and
 * verification) -> ReadTarget refused while verification is unclean -> allowed once clean (0111) ->
 * TargetOnly (0011) -> rollback to DualWrite (1101), with history and Events.
 */
@ExtendWith(Canary.class)
@EnableKubernetesMockClient(crud = true)
class CutoverOperatorTest {
    KubernetesClient client;

    @Test
    void walksTheLadderRefusesReadTargetWhileUncleanAndRollsBack() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            OneShotOperatorTest.seed(source.redis(), "u", 2000);
            flags.redis().configSet("requirepass", Canary.PASSWORD);
            h.secret("flag-auth", "password", Canary.PASSWORD);
            // The first verification runs after the application (say) lost a key in the new store.
            AtomicBoolean sabotaged = new AtomicBoolean();
            h.kubelet.beforePod(job -> {
                if (job.getMetadata().getName().contains("-verify-") && sabotaged.compareAndSet(false, true)) {
                    target.redis().del("u:str:0");
                }
            });

            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: users}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      phase: SourceOnly
                      cutover:
                        flag: {endpoint: {uri: "%s", passwordSecretRef: {name: flag-auth, key: password}}, key: migrate_user}
                        maxMismatches: 0
                        reverifySeconds: 2
                      verify: {mode: Full, rounds: 1, roundPauseSeconds: 0, repair: false}
                    """.formatted(source.uri(), target.uri(), flags.uri()));

            h.await("users", "SourceOnly in force", Duration.ofSeconds(20), dm -> dm.getStatus().getPhase() == Phase.SOURCE_ONLY
                    && condition(dm, "Ready", "True"));
            flags.redis().auth(Canary.PASSWORD);
            assertEquals("1100", flags.redis().get("migrate_user"));
            assertTrue(h.jobs().isEmpty(), "nothing is copied while SourceOnly is in force");
            assertEquals(0, target.redis().dbsize());

            // DualWrite at once, and ReadTarget asked for before the copy is even verified.
            h.setPhase("users", Phase.DUAL_WRITE);
            h.await("users", "DualWrite in force", Duration.ofSeconds(20), dm -> dm.getStatus().getPhase() == Phase.DUAL_WRITE);
            assertEquals("1101", flags.redis().get("migrate_user"));
            h.setPhase("users", Phase.READ_TARGET);
            DataMigration blocked = h.await("users", "ReadTarget refused on the unclean verification", Duration.ofSeconds(60),
                    dm -> condition(dm, "TransitionBlocked", "True") && conditionMessage(dm, "TransitionBlocked").contains("differ"));
            assertEquals(Phase.DUAL_WRITE, blocked.getStatus().getPhase());
            assertEquals("1101", flags.redis().get("migrate_user"), "a refused move leaves the flag alone");
            assertEquals(Phase.READ_TARGET, blocked.getSpec().getPhase(), "the user's spec is never rewritten");
            assertEquals(1L, blocked.getStatus().getVerification().missing());

            // The key comes back (the application rewrote it): the next verification is clean and the move happens by itself.
            target.redis().set("u:str:0", source.redis().get("u:str:0"));
            DataMigration reading = h.await("users", "ReadTarget in force", Duration.ofSeconds(60),
                    dm -> dm.getStatus().getPhase() == Phase.READ_TARGET);
            assertEquals("0111", flags.redis().get("migrate_user"));
            assertTrue(condition(reading, "TransitionBlocked", "False"));
            assertTrue(condition(reading, "Verified", "True"));
            int jobsAtSwitch = h.jobs().size();

            h.setPhase("users", Phase.TARGET_ONLY);
            h.await("users", "TargetOnly in force", Duration.ofSeconds(20), dm -> dm.getStatus().getPhase() == Phase.TARGET_ONLY);
            assertEquals("0011", flags.redis().get("migrate_user"));

            h.setPhase("users", Phase.DUAL_WRITE);
            DataMigration back = h.await("users", "rolled back to DualWrite", Duration.ofSeconds(20),
                    dm -> dm.getStatus().getPhase() == Phase.DUAL_WRITE && condition(dm, "Ready", "True"));
            assertEquals("1101", flags.redis().get("migrate_user"));
            assertTrue(conditionMessage(back, "Ready").contains("the old store missed the writes"), conditionMessage(back, "Ready"));
            assertEquals(jobsAtSwitch, h.jobs().size(), "nothing is written to the target after the clean round");

            List<RollbackStatus.Transition> history = back.getStatus().getRollback().history();
            assertEquals(List.of("none>SourceOnly:1100", "SourceOnly>DualWrite:1101", "DualWrite>ReadTarget:0111",
                            "ReadTarget>TargetOnly:0011", "TargetOnly>DualWrite:1101"),
                    history.stream().map(t -> Decider.name(t.from()) + ">" + Decider.name(t.to()) + ":" + t.flag()).toList());
            assertTrue(history.get(4).reason().contains("missed every write"), history.get(4).reason());
            assertEquals(Phase.SOURCE_ONLY, back.getStatus().getRollback().to());
            assertEquals("1100", back.getStatus().getRollback().flag());

            List<String> events = h.events("users").stream().map(e -> e.getType() + " " + e.getReason()).toList();
            assertEquals(4, events.stream().filter(e -> e.equals("Normal PhaseChanged")).count(), events.toString());
            assertTrue(events.contains("Warning TransitionBlocked"), events.toString());
            assertTrue(events.contains("Warning RolledBack"), events.toString());
        }
    }

    /**
     * While dual-writing the backfill fills (it never replaces what is in the new store), and verification,
     * exact since the old store is the truth, repairs what differs by copying the source value again and
     * deletes what no source has.
     */
    @Test
    void dualWriteBackfillFillsAndVerificationRepairsWhatDiffersFromTheSource() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            OneShotOperatorTest.seed(source.redis(), "u", 400);
            target.redis().set("u:str:4", "stale, from an earlier attempt");
            target.redis().hset("u:hash:5", "f", "stale");
            target.redis().set("u:gone", "deleted from the old store while dual-writing");
            h.kubelet.beforePod(job -> {
                if (job.getMetadata().getName().contains("-verify-")) {
                    assertEquals("stale, from an earlier attempt", target.redis().get("u:str:4"), "the backfill filled, it did not replace");
                }
            });
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: repaired}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      phase: ReadTarget
                      cutover: {flag: {endpoint: {uri: "%s"}, key: route}}
                      verify: {mode: Full, rounds: 2, roundPauseSeconds: 0}
                    """.formatted(source.uri(), target.uri(), flags.uri()));
            DataMigration dm = h.await("repaired", "ReadTarget in force", Duration.ofSeconds(60),
                    d -> d.getStatus().getPhase() == Phase.READ_TARGET);
            assertEquals("0111", flags.redis().get("route"));
            assertEquals(source.redis().get("u:str:4"), target.redis().get("u:str:4"));
            assertEquals(source.redis().hgetall("u:hash:5"), target.redis().hgetall("u:hash:5"));
            assertEquals(0, target.redis().exists("u:gone"), "the other direction: a key no source has is deleted");
            assertTrue(conditionMessage(dm, "Verified").contains("3 repaired"), conditionMessage(dm, "Verified"));
        }
    }

    @Test
    void anUnreachableFlagStoreBlocksTheStepStartsNoWorkerAndIsNotReady() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            source.redis().set("k", "v");
            int closed;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: noflag}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      phase: DualWrite
                      cutover: {flag: {endpoint: {uri: "redis://127.0.0.1:%d/0"}, key: route}}
                    """.formatted(source.uri(), target.uri(), closed));
            DataMigration dm = h.await("noflag", "blocked on the flag store", Duration.ofSeconds(30),
                    d -> condition(d, "TransitionBlocked", "True"));
            assertTrue(conditionMessage(dm, "TransitionBlocked").startsWith("FlagStoreUnavailable: "), conditionMessage(dm, "TransitionBlocked"));
            assertTrue(condition(dm, "Ready", "False"));
            assertEquals(null, dm.getStatus().getPhase(), "no phase is in force without its flag");
            OperatorHarness.sleep(1500);
            assertTrue(h.jobs().isEmpty(), "no worker while DualWrite is not really in force");
            assertEquals(0, target.redis().dbsize());
            assertEquals(1, h.events("noflag").stream().filter(e -> e.getReason().equals("FlagStoreUnavailable")).count());
        }
    }
}
