package io.keyferry.engine.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.EndpointSpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cluster link's pipe sends each command to the master of its key's slot over a bare connection, and follows
 * the redirections of a slot on the move: ASK while it migrates (the key is on the importing side), MOVED once
 * it moved, after which the slot's commands go to the new master directly.
 */
class ClusterPipeTest {

    @Test
    void followsAskWhileASlotMigratesAndMovedOnceItMoved() {
        try (RedisCluster cluster = RedisCluster.start();
             Endpoints endpoints = new Endpoints(new FileSecretResolver(null))) {
            EndpointSpec spec = new EndpointSpec();
            spec.setUri(cluster.uri());
            spec.setCluster(true);
            try (RedisLink link = endpoints.connect(spec, "spec.target.endpoint", "target")) {
                Pipe pipe = link.pipe();
                assertTrue(pipe instanceof ClusterPipe, "bare connections to the masters: " + pipe);
                byte[] key = bytes("moving:key");
                int slot = SlotHash.getSlot(key);
                RedisServer from = ownerOf(cluster, slot);
                RedisServer to = cluster.nodesWithRole("master").stream().filter(n -> n != from).findFirst().orElseThrow();
                String fromId = from.redis().clusterMyId();
                String toId = to.redis().clusterMyId();
                pipe.send(Cmd.SET, bytes("before"), bytes("1")); // the pipe's slot map is the topology of now
                pipe.sync();

                to.redis().clusterSetSlotImporting(slot, fromId);
                from.redis().clusterSetSlotMigrating(slot, toId);
                List<Object> replies = sendAndSync(pipe, Cmd.SET, key, bytes("v1"));

                assertEquals("OK", replies.get(0) instanceof byte[] ok ? new String(ok, StandardCharsets.US_ASCII) : replies.get(0));
                assertEquals(0, from.redis().clusterCountKeysInSlot(slot), "not written on the migrating side");
                assertEquals(1, to.redis().clusterCountKeysInSlot(slot), "written where ASK sent it");

                for (RedisServer master : cluster.nodesWithRole("master")) {
                    master.redis().clusterSetSlotNode(slot, toId);
                }
                from.redis().configResetstat();
                to.redis().configResetstat();
                for (int i = 0; i < 2; i++) {
                    replies = sendAndSync(pipe, Cmd.GET, key);
                    assertArrayEquals(bytes("v1"), (byte[]) replies.get(0), "MOVED followed to the new master");
                }
                assertTrue(getStats(from).contains("calls=0,") && getStats(from).contains("rejected_calls=1,"),
                        "the old master was asked once and answered MOVED: " + getStats(from));
                assertTrue(getStats(to).contains("calls=2,"), "then the slot's commands went to its new master: " + getStats(to));

                to.redis().del("moving:key"); // a slot that holds keys is not given away
                for (RedisServer master : cluster.nodesWithRole("master")) { // back again: the pipe learns it by MOVED
                    master.redis().clusterSetSlotNode(slot, fromId);
                }
                List<Integer> filtered = new ArrayList<>();
                pipe.filtering((at, reply) -> {
                    filtered.add(at);
                    return reply instanceof Resp.Error e ? e : "kept " + at;
                });
                pipe.send(Cmd.SET, bytes("a"), bytes("1"));
                pipe.send(Cmd.GET, key);
                pipe.send(Cmd.SET, bytes("b"), bytes("2"));
                replies = pipe.sync();
                assertEquals(List.of("kept 0", "kept 1", "kept 2"), replies, "each command's final reply filtered, MOVED not");
                assertEquals(List.of(0, 1, 2), filtered.stream().sorted().toList(), "once each, by the command's index");
                assertArrayEquals(bytes("1"), (byte[]) sendAndSync(pipe, Cmd.GET, bytes("a")).get(0), "the next batch unfiltered");
            }
        }
    }

    private static List<Object> sendAndSync(Pipe pipe, byte[]... args) {
        pipe.send(args);
        return pipe.sync();
    }

    private static RedisServer ownerOf(RedisCluster cluster, int slot) {
        return cluster.nodesWithRole("master").stream().filter(m -> cluster.slotsOf(m).anyMatch(s -> s == slot))
                .findFirst().orElseThrow(() -> new IllegalStateException("no master holds slot " + slot));
    }

    private static String getStats(RedisServer node) {
        return node.redis().info("commandstats").lines().filter(l -> l.startsWith("cmdstat_get:")).findFirst().orElse("");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
