package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.api.ReadFrom;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** readFrom: Replica reads a source from an online replica, so the production primary serves no copy reads. */
class ReplicaReadTest {

    @Test
    void copiesAndVerifiesFromAReplicaWithoutReadingThePrimary() throws InterruptedException {
        try (RedisServer primary = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 2000; i++) {
                primary.redis().hset("h:" + i, Map.of("f", "v" + i));
            }
            try (RedisServer replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", String.valueOf(primary.port())))) {
                awaitInSync(primary, replica);
                primary.redis().configResetstat();
                DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, primary);
                spec.getSources().get(0).getEndpoint().setReadFrom(ReadFrom.REPLICA);

                CopyResult copied = Copies.run(spec);
                VerifyResult verified = Copies.verify(spec, false);

                assertEquals(2000, copied.keysScanned());
                assertEquals(2000, target.redis().dbsize());
                assertTrue(verified.clean(), verified.toString());
                String stats = primary.redis().info("commandstats");
                assertFalse(stats.contains("cmdstat_hgetall") || stats.contains("cmdstat_type")
                        || stats.contains("cmdstat_dump") || stats.contains("cmdstat_hscan"),
                        "the primary served no reads of keys:\n" + stats);
                assertTrue(replica.redis().info("commandstats").contains("cmdstat_type"), "the replica did");
            }
        }
    }

    @Test
    void refusesAPrimaryWithoutAnOnlineReplica() {
        try (RedisServer primary = RedisServer.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, primary);
            spec.getSources().get(0).getEndpoint().setReadFrom(ReadFrom.REPLICA);

            MigrationInputException e = assertThrows(MigrationInputException.class, () -> Copies.run(spec));

            assertTrue(e.getMessage().startsWith("spec.sources[0].endpoint.readFrom is Replica but"), e.getMessage());
            assertEquals(0, target.redis().dbsize());
        }
    }

    @Test
    void readsARedisClusterFromOneReplicaOfEachMasterWithoutReadingTheMasters() throws InterruptedException {
        try (io.keyferry.testing.RedisCluster cluster = io.keyferry.testing.RedisCluster.start(1);
             RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 3000; i++) {
                cluster.redis().hset("h:" + i, Map.of("f", "v" + i));
            }
            cluster.redis().waitForReplication(1, 5000);
            List<RedisServer> masters = cluster.nodesWithRole("master");
            List<RedisServer> replicas = cluster.nodesWithRole("slave");
            assertEquals(3, masters.size());
            awaitReplicated(replicas, 3000);
            masters.forEach(m -> m.redis().configResetstat());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("cluster", cluster.uri()));
            spec.getSources().get(0).getEndpoint().setCluster(true);
            spec.getSources().get(0).getEndpoint().setReadFrom(ReadFrom.REPLICA);

            CopyResult copied = Copies.run(spec);
            VerifyResult verified = Copies.verify(spec, false);

            assertEquals(3000, copied.keysScanned());
            assertEquals(3000, target.redis().dbsize());
            assertTrue(verified.clean(), verified.toString());
            for (RedisServer m : masters) {
                String stats = m.redis().info("commandstats");
                assertFalse(stats.contains("cmdstat_scan") || stats.contains("cmdstat_type") || stats.contains("cmdstat_dump")
                        || stats.contains("cmdstat_hgetall") || stats.contains("cmdstat_hscan"),
                        "a master served no reads of keys:\n" + stats);
            }
            assertTrue(replicas.stream().allMatch(r -> r.redis().info("commandstats").contains("cmdstat_scan")),
                    "every master's replica was scanned");
        }
    }

    @Test
    void aClusterReplicaIsReadOverBareConnectionsWithinTheBatchsRoom() throws InterruptedException {
        try (io.keyferry.testing.RedisCluster cluster = io.keyferry.testing.RedisCluster.start(1);
             io.keyferry.engine.redis.Endpoints endpoints = new io.keyferry.engine.redis.Endpoints(new FileSecretResolver(null))) {
            byte[] key = "wide".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 8; i++) {
                cluster.redis().hset("wide", "f" + i, "x".repeat(64 * 1024));
            }
            cluster.redis().waitForReplication(1, 5000);
            awaitReplicated(cluster.nodesWithRole("slave"), 1);
            cluster.nodesWithRole("master").forEach(m -> m.redis().configResetstat());
            io.keyferry.api.EndpointSpec e = Copies.endpoint(cluster.uri());
            e.setCluster(true);
            e.setReadFrom(ReadFrom.REPLICA);
            try (io.keyferry.engine.redis.RedisLink link = endpoints.connect(e, "spec.sources[0].endpoint", "source")) {
                io.keyferry.engine.redis.Pipe pipe = link.pipe();
                pipe.filtering(new io.keyferry.engine.redis.Pipe.ReplyFilter() {
                    @Override
                    public Object keep(int at, Object reply) {
                        return reply;
                    }

                    @Override
                    public long budget() {
                        return 100 * 1024; // less than the hash's 512 KiB
                    }
                });
                pipe.send(io.keyferry.engine.redis.Cmd.HGETALL, key);
                pipe.send(io.keyferry.engine.redis.Cmd.HLEN, key);

                List<Object> replies = pipe.sync();

                assertEquals(io.keyferry.engine.redis.Resp.OVER_BUDGET, replies.get(0), "read through and dropped, not held");
                assertEquals(8L, replies.get(1));
            }
            assertTrue(cluster.nodesWithRole("master").stream().noneMatch(m -> m.calls("hgetall") + m.calls("hlen") > 0),
                    "the masters served no reads");
            assertEquals(1, cluster.nodesWithRole("slave").stream().mapToLong(r -> r.calls("hgetall")).sum(), "a replica did");
        }
    }

    @Test
    void aReplicaThatRefusesReadonlyStopsTheRunAsBadInputNamingTheCommand() throws Exception {
        java.nio.file.Path secrets = java.nio.file.Files.createTempDirectory("replica-acl");
        try (io.keyferry.testing.RedisCluster cluster = io.keyferry.testing.RedisCluster.start(1);
             RedisServer target = RedisServer.start()) {
            cluster.redis().set("k", "v");
            cluster.redis().waitForReplication(1, 5000);
            for (RedisServer node : cluster.nodes()) { // every read, and the topology, but not READONLY
                node.redis().aclSetuser("reader", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw")
                        .allKeys().allCommands().removeCommand(io.lettuce.core.protocol.CommandType.READONLY));
            }
            java.nio.file.Files.createDirectories(secrets.resolve("reader"));
            java.nio.file.Files.writeString(secrets.resolve("reader").resolve("username"), "reader");
            java.nio.file.Files.writeString(secrets.resolve("reader").resolve("password"), "pw");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("cluster", cluster.uri()));
            io.keyferry.api.EndpointSpec e = spec.getSources().get(0).getEndpoint();
            e.setCluster(true);
            e.setReadFrom(ReadFrom.REPLICA);
            e.setUsernameSecretRef(new io.keyferry.api.SecretKeyRef("reader", "username"));
            e.setPasswordSecretRef(new io.keyferry.api.SecretKeyRef("reader", "password"));

            MigrationInputException refused = assertThrows(MigrationInputException.class, () -> {
                try (io.keyferry.engine.checkpoint.FileCheckpointStore store = new io.keyferry.engine.checkpoint.FileCheckpointStore(
                        secrets.resolve("state")); Migration m = new Migration("test", spec, new FileSecretResolver(secrets), store)) {
                    m.prepare();
                    m.copy(ProgressListener.NONE);
                }
            });

            assertTrue(refused.getMessage().startsWith("spec.sources[0].endpoint.readFrom is Replica but")
                    && refused.getMessage().contains("READONLY"), refused.getMessage());
            assertEquals(0, target.redis().dbsize());
        } finally {
            RedisServer.deleteQuietly(secrets);
        }
    }

    private static void awaitReplicated(List<RedisServer> replicas, long keys) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (replicas.stream().mapToLong(r -> r.redis().dbsize()).sum() < keys && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void awaitInSync(RedisServer primary, RedisServer replica) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (replica.redis().info("replication").contains("master_link_status:up")
                    && primary.redis().info("replication").contains("state=online")
                    && replica.redis().dbsize().equals(primary.redis().dbsize())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the replica did not sync within 20 s");
    }
}
