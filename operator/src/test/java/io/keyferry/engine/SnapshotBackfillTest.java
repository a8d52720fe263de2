package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.Backfill;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.testing.Datasets;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisBinary;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import io.lettuce.core.Consumer;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.worker.backfill: Snapshot, on real servers: every key of every encoding a snapshot holds arrives exactly (values,
 * TTLs, stream groups), big keys in chunks, the key filters apply, a snapshot stopped midway is taken again with
 * honest counts, and sources where it does not apply are scanned, saying why.
 */
class SnapshotBackfillTest {
    /** A source that starts a full resynchronization at once (not after the default 5 s wait for more replicas). */
    static RedisServer source(String... more) {
        List<String> args = new ArrayList<>(List.of("--repl-diskless-sync-delay", "0"));
        if (RedisBinary.get().major() >= 7) {
            args.addAll(List.of("--enable-debug-command", "yes"));
        }
        args.addAll(List.of(more));
        return RedisServer.start(args);
    }

    static DataMigrationSpec snapshotSpec(RedisServer target, Policy policy, RedisServer... sources) {
        DataMigrationSpec spec = Copies.spec(target, policy, sources);
        spec.getWorker().setBackfill(Backfill.SNAPSHOT);
        return spec;
    }

    /** Keys of every encoding a snapshot holds: small and big, numeric and compressible names, TTLs, a stream with groups. */
    static void everyEncoding(RedisServer source) {
        Datasets.sixTypes(source, 3000, 2000, 600 * 1024);
        RedisCommands<String, String> r = source.redis();
        for (int i = 0; i < 50; i++) {
            r.set(Integer.toString(100000 + i * 7919), "numeric name " + i);         // stored as an integer
            r.set(Integer.toString(-i - 1), "negative");
            r.set("k" + "a".repeat(60) + i, "compressible name");                  // stored LZF-compressed
            r.psetex("ttl:" + i, 3_600_000 + i, "expires");
            r.sadd("intset:" + i, "1", "2", Integer.toString(i * 1000));
        }
        Map<String, String> fields = new HashMap<>();
        Map<String, Double> members = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            fields.put("field-" + i, "v".repeat(100) + i);                          // a hashtable, not a listpack
            members.put("member-" + i, i * 1.25);                                    // a skiplist
        }
        r.hset("hash:wide", fields);
        members.forEach((m, s) -> r.zadd("zset:wide", s, m));
        r.set("compressible", "z".repeat(2000));
        r.set("big:inflated", "y".repeat(2 << 20));                                // 2 MiB, a few KiB compressed
        StringBuilder noise = new StringBuilder();
        java.util.Random random = new java.util.Random(7);
        while (noise.length() < 700 * 1024) {
            noise.append(Long.toString(random.nextLong(), 36));
        }
        r.set("big:noise", noise.toString());                                      // 700 KiB that do not compress
        for (int i = 0; i < 200; i++) {
            r.rpush("list:long-elements", "e".repeat(300) + i);                      // a quicklist of many nodes
        }
        for (int i = 0; i < 40; i++) {
            r.xadd("stream:grouped", Map.of("n", Integer.toString(i)));
        }
        r.xgroupCreate(XReadArgs.StreamOffset.from("stream:grouped", "0"), "readers");
        r.xreadgroup(Consumer.from("readers", "alice"), XReadArgs.Builder.count(10), XReadArgs.StreamOffset.lastConsumed("stream:grouped"));
        r.xreadgroup(Consumer.from("readers", "bob"), XReadArgs.Builder.count(5), XReadArgs.StreamOffset.lastConsumed("stream:grouped"));
        source.binary().set(new byte[] {0, (byte) 0xFF, '\r', '\n', 7}, new byte[] {1, 2, 3});
        RedisCommands<String, String> db1 = source.redis();
        db1.select(1);
        db1.set("db1:only", "not copied");
        db1.select(0);
    }

    /**
     * Every source key's expiry is the target's: the same absolute instant (PEXPIRETIME, Redis 7), or on Redis 6.2 a
     * PTTL read right after the source's within the verification's default tolerance (the snapshot carries absolute
     * expiries, so only the time between the two reads differs).
     */
    static void assertSameExpiries(RedisServer source, RedisServer target) {
        boolean absolute = RedisBinary.get().major() >= 7;
        for (String k : source.redis().keys("*")) {
            if (absolute) {
                assertEquals(pexpiretime(source, k), pexpiretime(target, k), "the expiry of " + k);
            } else {
                long s = source.redis().pttl(k);
                long t = target.redis().pttl(k);
                assertTrue(s < 0 ? t == s : t >= 0 && Math.abs(s - t) <= 2000, "the expiry of " + k + ": " + s + " and " + t + " ms");
            }
        }
    }

    private static long pexpiretime(RedisServer server, String key) {
        return server.redis().dispatch(io.lettuce.core.protocol.CommandType.PEXPIRETIME,
                new io.lettuce.core.output.IntegerOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).addKey(key));
    }

    /** How many times the server ran a command (INFO commandstats). */
    static long calls(RedisServer server, String command) {
        for (String line : server.redis().info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    static long fullSyncs(RedisServer server) {
        String stats = server.redis().info("stats");
        for (String line : stats.split("\r\n")) {
            if (line.startsWith("sync_full:")) {
                return Long.parseLong(line.substring("sync_full:".length()));
            }
        }
        throw new IllegalStateException("no sync_full in INFO stats");
    }

    @Test
    void everyKeyOfEveryEncodingArrivesFromTheSnapshotExactly() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.withDebugCommand()) {
            everyEncoding(source);
            DataMigrationSpec spec = snapshotSpec(target, Policy.SKIP, source);
            Path state = Files.createTempDirectory("keyferry-state-");
            CopyPlan plan;
            CopyResult result;
            long restoresBefore;
            long scansBefore;
            try (FileCheckpointStore store = new FileCheckpointStore(state);
                 Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
                plan = m.prepare();
                restoresBefore = calls(target, "restore");       // the probe's own tries
                scansBefore = calls(source, "scan");
                result = m.copy(ProgressListener.NONE);
                assertEquals(SnapshotBackfill.SNAPSHOT, m.checkpoint().sources.get(0).backfill);
            }
            assertTrue(plan.describe().stream().anyMatch(l -> l.contains("backfill: from the source's RDB snapshot")),
                    plan.describe().toString());
            assertEquals(1, fullSyncs(source), "the source sent one snapshot");
            long keys = source.redis().dbsize();
            assertEquals(keys, result.total().keysWritten(), "every key counted written once");
            assertEquals(keys, result.keysScanned());
            assertEquals(0, result.total().total(Outcome.OVERWRITTEN));
            // Named as the snapshot passed (over 4,096 elements or 512 KiB), then copied by the SCAN copy's code: the
            // strings over 512 KiB (compressed or not), in chunks. The hash, set and zset of 2000 elements (hash tables
            // in the snapshot) and the list of 2000 short elements (a few quicklist nodes) are restored from it.
            assertEquals(keys - 3, calls(target, "restore") - restoresBefore, "every key RESTOREd whole but the 3 big strings");
            assertEquals(scansBefore, calls(source, "scan"), "the source was not scanned");
            assertEquals(3, calls(source, "type"), "only the big strings were read from the source, to be copied in chunks");

            assertEquals(TargetSnapshot.of(source).digests(), TargetSnapshot.of(target).digests(), "every key, every value");
            assertSameExpiries(source, target);
            assertEquals(source.redis().xinfoGroups("stream:grouped").toString(),
                    target.redis().xinfoGroups("stream:grouped").toString(), "the stream's group, its consumers and pending entries");
            assertEquals(source.redis().xpending("stream:grouped", "readers").toString(),
                    target.redis().xpending("stream:grouped", "readers").toString());
            RedisCommands<String, String> db1 = target.redis();
            db1.select(1);
            assertEquals(0, db1.dbsize(), "only the source's database is copied");
            db1.select(0);
            assertTrue(Copies.verify(spec, false).clean(), "keyferry verify is clean");
        }
    }

    /**
     * Full verification with backfill: Snapshot reads the source's snapshot too: keys equal to it are confirmed without
     * being read (sets and hashes kept as hash tables in any order), and every key that differs in any way is found,
     * then repaired.
     */
    @Test
    void theVerificationConfirmsFromTheSnapshotOnlyWhatIsEqual() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.start()) {
            Datasets.sixTypes(source, 1200, 0, 0);
            RedisCommands<String, String> r = source.redis();
            for (int i = 0; i < 300; i++) {
                r.hset("hash:table", "field-" + i, "v".repeat(80) + i);                // hash tables: their order is
                r.sadd("set:table", "member-" + i);                                     // each server's own
            }
            r.psetex("string:ttl", 3_600_000, "expires");
            DataMigrationSpec spec = snapshotSpec(target, Policy.OVERWRITE, source); // the target must equal the source
            Copies.run(spec);
            long keys = r.dbsize();
            long reads = sourceReads(source);

            io.keyferry.engine.verify.VerifyResult clean = Copies.verify(spec, false);
            assertTrue(clean.clean(), clean.toString());
            assertEquals(keys, clean.keysChecked());
            assertEquals(keys, clean.matched());
            assertEquals(2, fullSyncs(source), "the verification read the snapshot");
            assertEquals(reads, sourceReads(source), "no key was read from the source one by one");

            RedisCommands<String, String> t = target.redis();
            t.set("string:0", "changed");
            t.sadd("set:table", "one more");
            t.hset("hash:table", "field-7", "changed");
            t.pexpire("string:ttl", 60_000);
            t.del("list:2");
            t.zadd("zset:4", 99, "m");
            t.persist("string:ttl");
            t.pexpire("string:6", 3_600_000);
            io.keyferry.engine.verify.VerifyResult found = Copies.verify(spec, false);
            assertEquals(1, found.missing(), found.toString());
            assertEquals(6, found.mismatches(), "every changed key, and only those: " + found);
            assertEquals(keys - 7, found.matched());

            io.keyferry.engine.verify.VerifyResult repaired = Copies.verify(spec, true);
            assertEquals(7, repaired.repaired(), repaired.toString());
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    /** Commands that read a key's value from the source, so far (the probe's SCAN, DUMP and PTTL of one key left out). */
    private static long sourceReads(RedisServer source) {
        long n = 0;
        for (String c : List.of("get", "getrange", "mget", "hgetall", "hmget", "smembers", "sscan", "lrange", "zrange",
                "zscan", "hscan", "xrange")) {
            n += calls(source, c);
        }
        return n;
    }

    @Test
    void keyFiltersPrefixesAndTypesApplyToTheSnapshot() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.start()) {
            Datasets.sixTypes(source, 600, 0, 0);
            DataMigrationSpec spec = snapshotSpec(target, Policy.SKIP, source);
            spec.getSources().get(0).getKeys().setMatch("*:1*");
            spec.getSources().get(0).getKeys().setTypes(List.of(DataType.HASH, DataType.STRING));
            spec.getSources().get(0).getKeys().setAddPrefix("old/");
            CopyResult result = Copies.run(spec);

            List<String> expected = new ArrayList<>();
            for (String k : source.redis().keys("*:1*")) {
                if (k.startsWith("hash:") || k.startsWith("string:")) {
                    expected.add("old/" + k);
                }
            }
            List<String> copied = target.redis().keys("*");
            assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(copied));
            assertEquals(expected.size(), result.total().keysWritten());
            assertEquals(1, fullSyncs(source));
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    @Test
    void aSnapshotStoppedMidwayIsTakenAgainAndCountedOnce() throws Exception {
        try (RedisServer source = source(); RedisServer target = RedisServer.start()) {
            Datasets.mixed(source, 100_000, 20);
            DataMigrationSpec spec = snapshotSpec(target, Policy.SKIP, source);
            Path state = Files.createTempDirectory("keyferry-state-");
            // The target drops KeyFerry's connections once the first thousand keys have passed.
            Exception stopped = assertThrows(Exception.class, () -> {
                try (FileCheckpointStore store = new FileCheckpointStore(state);
                     Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
                    m.prepare();
                    m.copy(p -> {
                        if (p.keysScanned() == 1000) {
                            target.redis().clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
                        }
                    });
                }
            });
            assertTrue(stopped.getMessage().contains("the snapshot backfill stopped"), stopped.getMessage());
            assertEquals(1, fullSyncs(source));
            assertTrue(target.redis().dbsize() < source.redis().dbsize(), "stopped midway");
            Checkpoint saved;
            try (FileCheckpointStore store = new FileCheckpointStore(state)) {
                saved = store.load().orElseThrow();
            }
            assertEquals(SnapshotBackfill.SNAPSHOT, saved.sources.get(0).backfill);
            assertFalse(saved.sources.get(0).done);

            CopyResult again = Copies.run(spec, state);
            assertEquals(2, fullSyncs(source), "the snapshot was taken again");
            assertEquals(source.redis().dbsize(), again.total().keysWritten(), "each key counted once");
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    @Test
    void whereTheResultWouldDifferTheSourceIsScannedAndThePlanSaysWhy() throws Exception {
        try (RedisServer a = source(); RedisServer b = source(); RedisServer target = RedisServer.start()) {
            Datasets.sixTypes(a, 300, 0, 0);
            Datasets.sixTypes(b, 300, 0, 0);
            b.redis().set("string:0", "b's own");
            DataMigrationSpec spec = snapshotSpec(target, Policy.SKIP, a, b);
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("keyferry-state-"));
                 Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
                List<String> plan = m.prepare().describe();
                assertTrue(plan.stream().anyMatch(l -> l.contains("by SCAN (not from its snapshot: it is not the first source,"
                        + " and not every policy is Overwrite)")), plan.toString());
                m.copy(ProgressListener.NONE);
            }
            assertEquals(1, fullSyncs(a));
            assertEquals(0, fullSyncs(b), "the second source was scanned");
            assertEquals("value-0", target.redis().get("string:0"), "Skip kept the first source's key");

            target.redis().flushall();
            DataMigrationSpec overwrite = snapshotSpec(target, Policy.OVERWRITE, a, b);
            overwrite.getPolicies().setTypeMismatch(TypeMismatchPolicy.OVERWRITE);
            CopyResult result = Copies.run(overwrite);
            assertEquals(2, fullSyncs(a));
            assertEquals(1, fullSyncs(b), "every policy Overwrite: the second source from its snapshot too");
            assertEquals("b's own", target.redis().get("string:0"), "the later source wins");
            assertEquals(300, result.perSource().get("source-1").total(Outcome.OVERWRITTEN), "b's keys replaced a's, counted so");
            assertTrue(Copies.verify(overwrite, false).clean());
        }
    }

    @Test
    void aSourceThatRefusesPsyncIsAnErrorBeforeAnythingIsWritten() throws Exception {
        try (RedisServer source = source("--rename-command", "PSYNC", "", "--rename-command", "SYNC", "");
             RedisServer target = RedisServer.start()) {
            Datasets.sixTypes(source, 60, 0, 0);
            DataMigrationSpec spec = snapshotSpec(target, Policy.SKIP, source);
            MigrationInputException e = assertThrows(MigrationInputException.class, () -> Copies.run(spec));
            assertTrue(e.getMessage().startsWith("spec.sources[0].endpoint: "), e.getMessage());
            assertTrue(e.getMessage().contains("spec.worker.backfill: Scan"), e.getMessage());
            assertEquals(0, target.redis().dbsize(), "nothing written");
        }
    }

    @Test
    void theOtherConditionsAreNamed() {
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.getWorker().setBackfill(Backfill.SNAPSHOT);
        io.keyferry.engine.probe.ServerProfile redis7 = profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.0.15", false);
        SnapshotBackfill.Context plain = new SnapshotBackfill.Context(spec, redis7, false, false, true);
        assertNull(SnapshotBackfill.whyNot(plain, 0, redis7));
        assertTrue(SnapshotBackfill.whyNot(plain, 0, profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.2.4", false))
                .contains("older than the source"));
        assertNull(SnapshotBackfill.whyNot(plain, 0, profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.0.99", false)),
                "a patch release writes the same format");
        assertTrue(SnapshotBackfill.whyNot(plain, 0, profile(io.keyferry.engine.probe.ServerKind.KVROCKS, "2.10", false)).contains("kvrocks"));
        assertNull(SnapshotBackfill.whyNot(plain, 0, profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.0.15", true)),
                "a cluster source: each master's snapshot");
        assertNull(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec,
                profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.0.15", true), false, false, true), 0, redis7),
                "a cluster target: each RESTORE to its key's master");
        io.keyferry.engine.probe.ServerProfile noRestore = new io.keyferry.engine.probe.ServerProfile(
                io.keyferry.engine.probe.ServerKind.REDIS, "7.0.15", "run", false, false, true, false, false,
                redis7.commands(), 512L << 20, 0, null);
        assertTrue(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, noRestore, false, false, true), 0, redis7)
                .contains("not a Redis with RESTORE"));
        assertTrue(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, redis7, true, false, true), 0, redis7).contains("DualWrite"));
        assertTrue(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, redis7, false, true, true), 0, redis7).contains("undo journal"));
        assertTrue(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, redis7, false, false, false), 0, redis7).contains("held keys"));
        spec.getWorker().setParallelism(2);
        assertTrue(SnapshotBackfill.whyNot(plain, 0, redis7).contains("parallelism"));
        io.keyferry.engine.probe.ServerProfile cluster7 = profile(io.keyferry.engine.probe.ServerKind.REDIS, "7.0.15", true);
        assertNull(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, redis7, false, false, true, i -> 3), 0, cluster7),
                "two workers on three masters: each takes its masters' snapshots");
        assertTrue(SnapshotBackfill.whyNot(new SnapshotBackfill.Context(spec, redis7, false, false, true, i -> 1), 0, cluster7)
                .contains("fewer masters than the 2 workers"));
        spec.getWorker().setParallelism(1);
        spec.getWorker().getRateLimit().setKeysPerSecond(1000);
        assertTrue(SnapshotBackfill.whyNot(plain, 0, redis7).contains("rateLimit"));
        spec.getWorker().getRateLimit().setKeysPerSecond(0);
        spec.getPolicies().setList(Policy.MERGE);
        assertTrue(SnapshotBackfill.whyNot(plain, 0, redis7).contains("lists are under Merge"));
        spec.getWorker().setBackfill(Backfill.SCAN);
        assertEquals("spec.worker.backfill is Scan", SnapshotBackfill.whyNot(plain, 0, redis7));
    }

    private static io.keyferry.engine.probe.ServerProfile profile(io.keyferry.engine.probe.ServerKind kind, String version, boolean cluster) {
        return new io.keyferry.engine.probe.ServerProfile(kind, version, "run", cluster, true, true, false, false,
                new io.keyferry.engine.probe.Commands(true, true, true, true, true, true, true, true, true, true, -2, 0, 0, false),
                512L << 20, 0, null);
    }
}
