package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.DualWriter;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A sync worker killed with SIGKILL while the source takes writes: the Job's next pod resumes from the position saved
 * in the target, and once the writes stop the target equals the source, each list element once.
 */
@EnableKubernetesMockClient(crud = true)
class SyncKillOperatorTest {
    KubernetesClient client;

    @Test
    void aSyncWorkerKilledUnderWritesResumesFromItsPositionAndLosesNothing() {
        List<ChildJvm> pods = new CopyOnWriteArrayList<>();
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            h.kubelet.childJvmFor(job -> job.getMetadata().getName().contains("-sync-"), pod -> pods.add(pod.child()));
            for (int i = 0; i < 500; i++) {
                source.redis().set("k:" + i, "v" + i);
            }
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: killed}
                    spec:
                      sources: [{name: old, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s"}}
                      policies: {default: Overwrite}
                      sync: {mode: Continuous}
                      verify: {mode: Full, rounds: 3, roundPauseSeconds: 1}
                    """.formatted(source.uri(), target.uri()));
            h.await("killed", "following", Duration.ofSeconds(60), dm -> dm.getStatus().getSyncLagSeconds() != null);

            write(source, 0, 300);
            pods.get(0).killHard();
            write(source, 300, 600); // while no worker runs, then while the next pod starts
            h.await("killed", "a second sync pod", Duration.ofSeconds(60), dm -> pods.size() == 2);
            write(source, 600, 900);

            Map<String, String> diff = Map.of();
            for (int i = 0; i < 300 && !(diff = differences(source, target)).isEmpty(); i++) {
                OperatorHarness.sleep(100);
            }
            assertEquals(Map.of(), diff, "the target holds what the source holds\npods:\n" + String.join("\n", h.kubelet.log()));
            assertEquals(IntStream.range(0, 900).mapToObj(Integer::toString).toList(), target.redis().lrange("q", 0, -1),
                    "every pushed element once");
        } finally {
            pods.forEach(p -> {
                if (p.isAlive()) {
                    p.killHard();
                }
            });
        }
    }

    /** Pushes, sets, increments and deletes, as an application would. */
    private static void write(RedisServer source, int from, int to) {
        for (int i = from; i < to; i++) {
            source.redis().rpush("q", Integer.toString(i));
            source.redis().set("k:" + (i % 500), "w" + i);
            source.redis().hincrby("h", "f" + (i % 7), 1);
            if (i % 50 == 0) {
                source.redis().del("k:" + (i % 500 + 1));
            }
        }
    }

    private static Map<String, String> differences(RedisServer source, RedisServer target) {
        Map<String, String> diff = new TreeMap<>(DualWriter.differences(source, target));
        diff.keySet().removeIf(k -> k.startsWith("keyferry:"));
        return diff;
    }
}
