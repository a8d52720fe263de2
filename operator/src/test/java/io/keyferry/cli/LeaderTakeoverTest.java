package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.Kubelet;
import io.keyferry.testing.Monitor;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Two, then three `keyferry operator` processes against one API server, as replicas of the chart's Deployment: the
 * leader is killed with kill -9 in the middle of a copy, and a standby takes the Lease over within its duration and
 * finishes the migration without starting any Job twice; then the new leader is frozen (kill -STOP, a node cut off),
 * a third replica takes over and moves the phase, and the frozen one, woken up (kill -CONT), writes no stale flag
 * and exits 5. The flag store's MONITOR shows every flag written, in order.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderTakeoverTest {
    static final String NS = "test";
    static final int LEASE_SECONDS = 6;
    static final Duration LEASE = Duration.ofSeconds(LEASE_SECONDS);

    KubernetesClient client;
    KubernetesMockServer server;
    private final List<ChildJvm> operators = new ArrayList<>();

    @Test
    void aStandbyTakesOverFromAKilledLeaderAndADeposedLeaderWritesNoStaleFlag() {
        allowLeases();
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             Monitor monitor = Monitor.of(flags); Kubelet kubelet = new Kubelet(client, client, NS)) {
            for (int i = 0; i < 3000; i++) {
                source.redis().set("k" + i, "v" + i);
            }
            ChildJvm a = operator("op-a");
            await("op-a leads", Duration.ofSeconds(60), () -> holder().startsWith("op-a_"), a);
            ChildJvm b = operator("op-b");
            applyDualWrite(source, target, flags);

            // kill -9 in the middle of the copy (500 keys/s: about 6 s of copying).
            await("the copy runs", Duration.ofSeconds(60), () -> jobs().stream().anyMatch(j -> j.getMetadata().getName()
                    .startsWith("ha-copy-")) && "1101".equals(flags.redis().get("migrate")), a);
            Lease before = lease();
            a.killHard();
            await("op-b leads", Duration.ofSeconds(60), () -> holder().startsWith("op-b_"), b);
            Lease after = lease();
            Duration gap = Duration.between(ZonedDateTime.parse(before.getSpec().getRenewTime().toString()),
                    ZonedDateTime.parse(after.getSpec().getAcquireTime().toString()));
            // Never before the Lease expired (a safety property: a slow machine only makes the gap longer). How soon after
            // it, at the standby's next try (every 2/15 of the Lease, with Fabric8's jitter), is the machine's speed: printed
            // below, not asserted; the await above bounds it.
            assertTrue(gap.compareTo(LEASE) >= 0, "taken over " + gap + " after op-a's last renewal: before the Lease expired");
            assertEquals(before.getSpec().getLeaseTransitions() + 1, after.getSpec().getLeaseTransitions());
            System.out.println("LeaderTakeoverTest: op-b took the Lease over " + gap.toMillis() + " ms after op-a's last renewal");

            await("op-b finishes the copy and verifies", Duration.ofSeconds(120), () -> condition("Verified", "True"), b);

            // op-b is frozen (a node cut off); op-c takes over and moves the phase while op-b sleeps.
            ChildJvm c = operator("op-c");
            await("op-c is up", Duration.ofSeconds(60), () -> c.output().contains("keyferry operator: watching"), c);
            b.signal("STOP");
            await("op-c leads", Duration.ofSeconds(60), () -> holder().startsWith("op-c_"), c);
            patchPhase(Phase.READ_TARGET);
            await("ReadTarget in force", Duration.ofSeconds(60), () -> "0111".equals(flags.redis().get("migrate"))
                    && get().getStatus().getPhase() == Phase.READ_TARGET, c);
            b.signal("CONT");
            await("op-b, woken, finds it lost the Lease and exits 5", Duration.ofSeconds(60), () -> b.exitCode() != null, b);
            assertEquals(ExitCodes.LEADERSHIP_LOST, b.exitCode(), b.output());
            patchPhase(Phase.TARGET_ONLY);
            await("TargetOnly in force", Duration.ofSeconds(60), () -> "0011".equals(flags.redis().get("migrate")), c);
            // MONITOR's lines arrive on a connection of their own: the last SET may come after the GET that saw it
            await("MONITOR shows the last flag", Duration.ofSeconds(10), () -> monitor.valuesSet("migrate").contains("0011"), c);

            assertEquals(List.of("1100", "1101", "0111", "0011"), monitor.valuesSet("migrate"),
                    "every flag written, in order, each once:\n" + String.join("\n", monitor.lines()));
            List<String> copies = kubelet.log().stream().filter(l -> l.startsWith("ha-copy-")).toList();
            assertEquals(1, copies.size(), "the copy ran once, though its leader died in the middle: " + kubelet.log());
            assertEquals(1, jobs().stream().filter(j -> j.getMetadata().getName().startsWith("ha-copy-")).count(),
                    jobs().stream().map(j -> j.getMetadata().getName()).toList().toString());
            assertEquals(3000, target.redis().keys("k[0-9]*").size(), "every key copied (the rest is the checkpoint and its fence)");
        } finally {
            operators.forEach(o -> {
                if (o.isAlive()) {
                    o.signal("CONT");
                    o.killHard();
                }
            });
        }
    }

    /**
     * The operator killed with kill -9 at each phase transition (as DualWrite starts, when the copy is verified, right
     * after ReadTarget and TargetOnly are asked for), each time replaced by a new process once the Lease expired: the
     * flag store's MONITOR shows the flag written in the ladder's order, never back.
     */
    @Test
    void theFlagIsNeverWrittenOutOfOrderWhenTheOperatorIsKilledAtEachPhaseTransition() {
        allowLeases();
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flags = RedisServer.start();
             Monitor monitor = Monitor.of(flags); Kubelet kubelet = new Kubelet(client, client, NS)) {
            for (int i = 0; i < 1000; i++) {
                source.redis().set("k" + i, "v" + i);
            }
            ChildJvm op = leader("op-0");
            applyDualWrite(source, target, flags);
            op.killHard(); // as DualWrite starts
            op = leader("op-1");
            await("the copy runs", Duration.ofSeconds(90), () -> "1101".equals(flags.redis().get("migrate")), op);
            op.killHard(); // as the copy is under way, with the flag just moved
            op = leader("op-2");
            await("verified", Duration.ofSeconds(120), () -> condition("Verified", "True"), op);
            patchPhase(Phase.READ_TARGET);
            op.killHard(); // right after ReadTarget is asked for
            op = leader("op-3");
            await("ReadTarget in force", Duration.ofSeconds(90), () -> "0111".equals(flags.redis().get("migrate")), op);
            patchPhase(Phase.TARGET_ONLY);
            op.killHard(); // right after TargetOnly is asked for
            op = leader("op-4");
            await("TargetOnly in force", Duration.ofSeconds(90), () -> "0011".equals(flags.redis().get("migrate")), op);
            await("MONITOR shows the last flag", Duration.ofSeconds(10), () -> monitor.valuesSet("migrate").contains("0011"), op);

            assertEquals(List.of("1100", "1101", "0111", "0011"), monitor.valuesSet("migrate").stream().distinct().toList(),
                    "the flag moved only forwards:\n" + String.join("\n", monitor.lines()));
            List<String> written = monitor.valuesSet("migrate");
            for (int i = 1; i < written.size(); i++) {
                assertTrue(List.of("1100", "1101", "0111", "0011").indexOf(written.get(i))
                        >= List.of("1100", "1101", "0111", "0011").indexOf(written.get(i - 1)), "never back: " + written);
            }
            System.out.println("LeaderTakeoverTest: flag writes across four kills: " + written);
        } finally {
            operators.forEach(o -> {
                if (o.isAlive()) {
                    o.killHard();
                }
            });
        }
    }

    /** A new operator process, awaited until it holds the Lease (after the killed one's expired). */
    private ChildJvm leader(String name) {
        ChildJvm next = operator(name);
        await(name + " leads", Duration.ofSeconds(60), () -> holder().startsWith(name + "_"), next);
        return next;
    }

    /** The operator's start-up check finds it may use Leases. */
    private void allowLeases() {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").andReturn(201,
                new SelfSubjectRulesReviewBuilder().withNewStatus().withIncomplete(false).addNewResourceRule()
                        .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("get", "create", "update", "patch")
                        .endResourceRule().endStatus().build()).always();
    }

    /** The migration "ha" in DualWrite, paced (500 keys/s), with its flag "migrate" in {@code flags}. */
    private void applyDualWrite(RedisServer source, RedisServer target, RedisServer flags) {
        apply("""
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: ha}
                spec:
                  sources: [{name: a, endpoint: {uri: "%s"}}]
                  target: {endpoint: {uri: "%s"}}
                  worker: {batchSize: 100, rateLimit: {keysPerSecond: 500}}
                  cutover:
                    flag: {endpoint: {uri: "%s"}, key: migrate}
                    reverifySeconds: 5
                  phase: DualWrite
                """.formatted(source.uri(), target.uri(), flags.uri()));
    }

    private ChildJvm operator(String name) {
        Map<String, String> env = Map.of("KUBERNETES_MASTER", client.getConfiguration().getMasterUrl(),
                "KUBERNETES_TRUST_CERTIFICATES", "true", "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false", "KUBERNETES_NAMESPACE", NS, "HOSTNAME", name);
        ChildJvm child = ChildJvm.start(env, "256m", "operator", "--namespaces", NS, "--worker-image", "keyferry:test",
                "--lease-namespace", NS, "--lease-name", "kf", "--lease-duration", String.valueOf(LEASE_SECONDS),
                "--address", "127.0.0.1", "--port", "0", "--resync", "5");
        operators.add(child);
        return child;
    }

    private String holder() {
        Lease lease = lease();
        return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    private Lease lease() {
        return client.leases().inNamespace(NS).withName("kf").get();
    }

    private List<Job> jobs() {
        return client.batch().v1().jobs().inNamespace(NS).list().getItems();
    }

    private DataMigration get() {
        return client.resources(DataMigration.class).inNamespace(NS).withName("ha").get();
    }

    private boolean condition(String type, String status) {
        DataMigration dm = get();
        return dm != null && dm.getStatus() != null && dm.getStatus().getConditions() != null && dm.getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals(type) && c.getStatus().equals(status));
    }

    private void apply(String yaml) {
        DataMigration dm = Serialization.unmarshal(yaml, DataMigration.class);
        dm.getMetadata().setNamespace(NS);
        client.resource(dm).create();
    }

    private void patchPhase(Phase phase) {
        client.resources(DataMigration.class).inNamespace(NS).withName("ha").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("spec", Map.of("phase", phase == Phase.READ_TARGET ? "ReadTarget" : "TargetOnly"))));
    }

    private void await(String what, Duration timeout, BooleanSupplier done, ChildJvm operator) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the resource is not there yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        DataMigration dm = get();
        fail("timed out waiting for " + what + "; status: " + (dm == null ? "none" : Serialization.asYaml(dm.getStatus()))
                + "\nlease: " + holder() + "\noperator output:\n" + operator.output());
    }
}
