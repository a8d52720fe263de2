package io.keyferry.engine.sync;

import static io.keyferry.engine.sync.FollowTest.await;
import static io.keyferry.engine.sync.FollowTest.follower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * `keyferry run --follow` of a real 3-master Redis Cluster: every master is followed as its replica, the position
 * saved is each master's (by its lowest slot), and a kill -9 of the follower and a failover of a master both continue
 * from it (PSYNC to the promoted replica) without a rescan; `keyferry verify` is clean once the writes stop.
 */
class ClusterFollowTest {

    @Test
    void followsEveryMasterAcrossAKill9AndAFailover() throws Exception {
        try (RedisCluster source = RedisCluster.start(1); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 3000; i++) {
                source.redis().set("s:" + i, "v" + i);
                source.redis().hset("h:" + i, "f", "v" + i);
            }
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = Files.createTempFile("cluster-follow-", ".yaml");
            Files.writeString(manifest, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: cf}\nspec:\n"
                    + "  sources:\n    - {name: cf-0, endpoint: {uri: \"" + source.uri() + "\", cluster: true}}\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n  policies: {default: Overwrite}\n");
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = writer(source, writing, writes);
            PositionFile positions = new PositionFile(state);
            try {
                ChildJvm first = follower(manifest, state);
                await("following", () -> first.output().contains("following cf-0"), first);
                long before = writes.get();
                await("writes followed", () -> writes.get() > before + 500, first);
                await("a position saved", () -> positions.load(List.of("cf-0")) != null, first);
                first.killHard();
                Map<Integer, Position> saved = positions.load(List.of("cf-0")).get(0).masters();
                assertNotNull(saved, "a position per master");
                assertEquals(List.of(0, 5461, 10922), List.copyOf(saved.keySet()));

                ChildJvm again = follower(manifest, state);
                await("following again", () -> again.output().contains("following cf-0"), again);
                RedisServer replica = source.nodesWithRole("slave").get(0);
                replica.redis().clusterFailover(false);
                await("the replica took over", () -> replica.redis().info("replication").contains("role:master")
                        && source.nodesWithRole("master").size() == 3, again);
                long after = writes.get();
                await("writes after the failover", () -> writes.get() > after + 500, again);
                writing.set(false);
                writer.join();
                await("caught up", () -> caughtUp(positions, source), again);
                again.signal("TERM");
                again.waitFor(60);
                assertTrue(again.output().contains("stopped: source cf-0: "), again.output());
                assertFalse(again.output().contains("no longer available"), "continued, no rescan: " + again.output());
                assertFalse(first.output().contains("no longer available"), first.output());
            } finally {
                writing.set(false);
                writer.join();
            }
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), verify.output());
            long sourceKeys = source.nodesWithRole("master").stream().mapToLong(n -> n.redis().dbsize()).sum();
            assertEquals(sourceKeys, target.redis().dbsize(), "every master's keys");
            assertTrue(sourceKeys > 1000, "the backfill ran: " + sourceKeys);
        }
    }

    /** The saved position reaches every master's own offset (the masters now, after the failover). */
    private static boolean caughtUp(PositionFile positions, RedisCluster cluster) {
        List<Position> saved = positions.load(List.of("cf-0"));
        if (saved == null) {
            return false;
        }
        long sum = 0;
        for (RedisServer m : cluster.nodesWithRole("master")) {
            String info = m.redis().info("replication");
            sum += Long.parseLong(info.lines().filter(l -> l.startsWith("master_repl_offset:")).findFirst().orElseThrow()
                    .substring("master_repl_offset:".length()).strip());
        }
        return saved.get(0).offset() >= sum;
    }

    /** Writes, deletes and expires keys of two types on every master until told to stop (through the failover). */
    private static Thread writer(RedisCluster cluster, AtomicBoolean writing, AtomicLong writes) {
        Thread t = new Thread(() -> {
            RedisClusterClient client = RedisClusterClient.create(RedisURI.create("127.0.0.1", cluster.nodes().get(0).port()));
            try (var c = client.connect()) {
                RedisAdvancedClusterCommands<String, String> r = c.sync();
                Random random = new Random(7);
                while (writing.get()) {
                    int k = random.nextInt(4000);
                    try {
                        switch (random.nextInt(5)) {
                            case 0 -> r.set("s:" + k, "w" + random.nextInt());
                            case 1 -> r.del("s:" + k);
                            case 2 -> r.hset("h:" + k, "f" + random.nextInt(5), "w");
                            case 3 -> r.pexpire("s:" + k, 50 + random.nextInt(500));
                            default -> r.hdel("h:" + k, "f");
                        }
                        writes.incrementAndGet();
                    } catch (RuntimeException e) {
                        Thread.sleep(50); // the failover: the slot's master changes
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                client.shutdown();
            }
        }, "cluster-writer");
        t.start();
        return t;
    }
}
