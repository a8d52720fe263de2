package io.keyferry.engine;

import static io.keyferry.engine.SnapshotBackfillTest.calls;
import static io.keyferry.engine.SnapshotBackfillTest.everyEncoding;
import static io.keyferry.engine.SnapshotBackfillTest.fullSyncs;
import static io.keyferry.engine.SnapshotBackfillTest.snapshotSpec;
import static io.keyferry.engine.SnapshotBackfillTest.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.Backfill;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The backfill from the snapshot with a Redis Cluster on either side: a cluster source read master by master (or each
 * worker its own masters), a cluster target written key by key on its slot's master. The RDB format is the same as a
 * server's, so these run on the test Redis only (SnapshotBackfillTest covers the formats of both versions).
 */
class ClusterSnapshotTest {
    /** The RESTOREs the target's probe sends to learn whether it has the command. */
    private static final long PROBE_RESTORES = 1;
    /**
     * A cluster source: each master sends its own snapshot (its slots' keys), walked one after the other into the
     * target; no master is scanned, a big key goes through the cluster-aware chunked copy, and the verification walks
     * each master's snapshot again.
     */
    @Test
    void aClusterSourceIsCopiedFromEachMastersSnapshotAndVerifiedFromThem() throws Exception {
        try (RedisCluster source = RedisCluster.start(); RedisServer target = RedisServer.withDebugCommand()) {
            List<RedisServer> masters = source.nodesWithRole("master");
            masters.forEach(m -> m.redis().configSet("repl-diskless-sync-delay", "0"));
            RedisAdvancedClusterCommands<String, String> c = source.redis();
            int keys = 2000;
            for (int i = 0; i < keys; i++) {
                switch (i % 4) {
                    case 0 -> c.psetex("s:" + i, 600_000 + i, "v:" + i);
                    case 1 -> c.hset("h:" + i, Map.of("a", "1", "b", String.valueOf(i)));
                    case 2 -> c.rpush("l:" + i, "x", "y" + i);
                    default -> c.sadd("z:" + i, "m", "n" + i);
                }
            }
            c.set("big:string", "x".repeat(600 << 10)); // over the bound of one RESTORE: copied in chunks
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP);
            spec.getSources().add(Copies.source("cluster", source.uri()));
            spec.getSources().get(0).getEndpoint().setCluster(true);
            spec.getWorker().setBackfill(Backfill.SNAPSHOT);
            long scans = masters.stream().mapToLong(m -> calls(m, "scan")).sum();

            CopyResult result = Copies.run(spec);

            for (RedisServer m : masters) {
                assertEquals(1, fullSyncs(m), "each master sent one snapshot");
            }
            assertEquals(scans + 1, masters.stream().mapToLong(m -> calls(m, "scan")).sum(),
                    "no master was scanned: one SCAN of COUNT 1, the probe's (its cursor's form)");
            assertEquals(keys + 1, target.redis().dbsize());
            assertEquals(keys + 1, result.keysScanned(), "each master's keys walked once");
            assertEquals(keys + 1, result.total().keysWritten());
            for (String key : target.redis().keys("*")) {
                assertEquals(value(c, key), value(target.redis(), key), key);
            }
            long pttl = target.redis().pttl("s:0");
            assertTrue(pttl > 500_000 && pttl <= 600_000, "the expiry came with the key: " + pttl);

            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
            assertEquals(keys + 1, verified.keysChecked());
            for (RedisServer m : masters) {
                assertEquals(2, fullSyncs(m), "the verification walked each master's snapshot");
            }
        }
    }

    /**
     * Three workers on a 3-master cluster source (spec.worker.parallelism: 3) split it by master: each takes its own
     * master's snapshot, at the same time as the others, and none is scanned.
     */
    @Test
    void workersSplittingAClusterByMasterEachTakeTheirOwnMastersSnapshot() throws Exception {
        try (RedisCluster source = RedisCluster.start(); RedisServer target = RedisServer.start()) {
            List<RedisServer> masters = source.nodesWithRole("master");
            masters.forEach(m -> m.redis().configSet("repl-diskless-sync-delay", "0"));
            Map<String, String> strings = new HashMap<>();
            for (int i = 0; i < 3000; i++) {
                strings.put("k:" + i, "v" + i);
            }
            source.redis().mset(strings);
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP);
            spec.getSources().add(Copies.source("cluster", source.uri()));
            spec.getSources().get(0).getEndpoint().setCluster(true);
            spec.getWorker().setBackfill(Backfill.SNAPSHOT);
            spec.getWorker().setParallelism(3);
            long scans = masters.stream().mapToLong(m -> calls(m, "scan")).sum();

            CopyResult result;
            try (PartitionedCopy copy = new PartitionedCopy("test", spec, new FileSecretResolver(null),
                    Files.createTempDirectory("keyferry-state-"))) {
                CopyPlan plan = copy.prepare();
                assertTrue(plan.describe().stream().anyMatch(l -> l.contains("backfill: from the source's RDB snapshot")),
                        plan.describe().toString());
                result = copy.copy(ProgressListener.NONE);
            }

            for (RedisServer m : masters) {
                assertEquals(1, fullSyncs(m), "each master sent one snapshot, to its worker");
            }
            assertEquals(scans + 3, masters.stream().mapToLong(m -> calls(m, "scan")).sum(),
                    "no master was scanned: one SCAN of COUNT 1 per worker, its probe's");
            assertEquals(3000, result.keysScanned());
            assertEquals(3000, target.redis().dbsize());
            for (int i = 0; i < 3000; i += 7) {
                assertEquals("v" + i, target.redis().get("k:" + i));
            }
        }
    }

    /**
     * A cluster target: each key's RESTORE goes to the master of its slot, each master over a pipeline of its own; the
     * big keys go through the cluster-aware chunked copy, and both the verification from the snapshot and the usual
     * one (both stores read as they are) are clean.
     */
    @Test
    void intoAClusterTargetEachKeyIsRestoredOnItsSlotsMaster() throws Exception {
        try (RedisServer source = source(); RedisCluster target = RedisCluster.start()) {
            everyEncoding(source);
            DataMigrationSpec spec = snapshotSpec(target.nodes().get(0), Policy.SKIP, source);
            spec.getTarget().getEndpoint().setCluster(true);
            List<RedisServer> masters = target.nodesWithRole("master");

            CopyResult result = Copies.run(spec);

            long keys = source.redis().dbsize();
            assertEquals(1, fullSyncs(source), "the source sent one snapshot");
            assertEquals(keys, masters.stream().mapToLong(m -> m.redis().dbsize()).sum());
            assertEquals(keys, result.total().keysWritten());
            long restores = masters.stream().mapToLong(m -> calls(m, "restore")).sum();
            assertEquals(keys - 3 + PROBE_RESTORES, restores, "every key RESTOREd whole but the 3 big strings, and the probe's");
            for (RedisServer m : masters) {
                assertTrue(calls(m, "restore") > keys / 5, "each master restored its slots' keys");
            }
            VerifyResult fromSnapshot = Copies.verify(spec, false);
            assertTrue(fromSnapshot.clean(), fromSnapshot.toString());
            assertEquals(2, fullSyncs(source), "verified from a second snapshot");
            spec.getWorker().setBackfill(Backfill.SCAN);
            VerifyResult usual = Copies.verify(spec, false);
            assertTrue(usual.clean(), usual.toString());
            assertEquals(keys, usual.keysChecked());
        }
    }

    /**
     * Slots of the cluster target move after the copy learned its topology: the RESTORE sent to a slot's old master
     * is answered MOVED, which stops the copy saying so, and the rerun takes the snapshot again against the new
     * topology and completes.
     */
    @Test
    void aClusterTargetWhoseSlotsMovedStopsTheCopyAndTheRerunCompletes() throws Exception {
        try (RedisServer source = source(); RedisCluster target = RedisCluster.start()) {
            Map<String, String> strings = new HashMap<>();
            for (int i = 0; i < 3000; i++) {
                strings.put("k:" + i, "v" + i);
            }
            source.redis().mset(strings);
            DataMigrationSpec spec = snapshotSpec(target.nodes().get(0), Policy.OVERWRITE, source);
            spec.getTarget().getEndpoint().setCluster(true);
            Path state = Files.createTempDirectory("keyferry-state-");
            try (FileCheckpointStore store = new FileCheckpointStore(state);
                 Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
                m.prepare();
                List<RedisServer> masters = target.nodesWithRole("master");
                target.moveSlots(masters.get(0), masters.get(1), 200); // about 37 of the keys' slots
                Exception stopped = assertThrows(Exception.class, () -> m.copy(ProgressListener.NONE));
                assertTrue(stopped.getMessage().contains("MOVED") && stopped.getMessage().contains("run again"),
                        stopped.getMessage());
            }
            CopyResult again = Copies.run(spec, state);
            assertEquals(2, fullSyncs(source), "the rerun took the snapshot again");
            assertEquals(3000, target.nodesWithRole("master").stream().mapToLong(n -> n.redis().dbsize()).sum());
            assertEquals(3000, again.keysScanned());
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    /** A key's type and value as one string (a set's members sorted). */
    private static String value(io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String> r, String key) {
        String type = r.type(key);
        return type + " " + switch (type) {
            case "string" -> r.get(key);
            case "hash" -> new java.util.TreeMap<>(r.hgetall(key)).toString();
            case "list" -> r.lrange(key, 0, -1).toString();
            case "set" -> new java.util.TreeSet<>(r.smembers(key)).toString();
            default -> "?";
        };
    }
}
