package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Verification finds exactly what differs, nothing else, and converges while an application writes. */
class VerificationTest {

    @Test
    void findsEveryKindOfCorruptionExactlyAndNothingElse() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            RedisCommands<String, String> t = target.redis();
            t.hset("hash", "b", "changed");
            t.sadd("set", "extra");
            t.del("deleted");
            t.zadd("zset", ScoredValue.just(7, "b"));
            t.del("list");
            t.rpush("list", "3", "2", "1");
            t.persist("ttl");
            t.append("string", "!");

            VerifyResult result = Copies.verify(spec, false);

            assertEquals(Map.of(
                    "hash", "field 'b' differs",
                    "set", "target has 4 members, expected 3",
                    "deleted", "missing in target",
                    "zset", "score of 'b' differs: expected 2.0, target 7.0",
                    "list", "element 0 differs",
                    "ttl", "TTL differs",
                    "string", "length differs: expected 5 bytes, target 6"), reasons(result));
            assertEquals(6, result.mismatches());
            assertEquals(1, result.missing());
            assertEquals(3, result.rounds(), "differences are re-checked before they are reported");
            assertEquals(3, result.matched(), "untouched keys match");
        }
    }

    @Test
    void aTargetKeyOfAnotherTypeOrWithAnotherMemberIsFoundThoughItsReadsWereQueuedForTheSourcesType() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            source.redis().hset("retyped", "f", "v");
            source.redis().zadd("swapped", ScoredValue.just(1, "a"), ScoredValue.just(2, "b"));
            source.redis().zadd("same", ScoredValue.just(1.5, "a"), ScoredValue.just(Double.POSITIVE_INFINITY, "b"));
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getPolicies().setTypeMismatch(io.keyferry.api.TypeMismatchPolicy.OVERWRITE); // a clash is then a mismatch
            Copies.run(spec);
            target.redis().del("retyped");
            target.redis().set("retyped", "a string now");
            target.redis().zrem("swapped", "b");
            target.redis().zadd("swapped", ScoredValue.just(2, "c"));

            VerifyResult result = Copies.verify(spec, false);

            assertEquals(Map.of(
                    "retyped", "type differs: expected hash, target string",
                    "swapped", "member 'c' is not in the source"), reasons(result));
            assertEquals(1, result.matched(), "a zset with an infinite score matches");
        }
    }

    @Test
    void aTargetLostWhileVerifyingStopsTheScanWithTheFailureInsteadOfScanningOn() {
        RedisServer target = RedisServer.start();
        AtomicBoolean stopped = new AtomicBoolean();
        try (RedisServer source = RedisServer.start()) {
            RedisCommands<String, String> s = source.redis();
            for (int i = 0; i < 40_000; i += 1000) {
                Map<String, String> some = new java.util.HashMap<>();
                for (int j = i; j < i + 1000; j++) {
                    some.put("k:" + j, "v");
                }
                s.mset(some);
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            long[] scanned = {0};

            RuntimeException e;
            try (Migration m = Migration.verifyOnly("lost", spec, new FileSecretResolver(null))) {
                m.prepare();
                e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> m.verify(p -> {
                    scanned[0] = p.keysScanned();
                    if (p.keysScanned() >= 10_000 && stopped.compareAndSet(false, true)) {
                        target.close(); // every checker has its connections by now
                    }
                }, false));
            }

            assertTrue(e.getMessage().contains("connection lost"), e.getMessage());
            assertTrue(scanned[0] < 25_000, "the scan stopped soon after the failure: " + scanned[0] + " of 40000 keys scanned");
        } finally {
            if (!stopped.get()) {
                target.close();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSortedSetKeptAsAHashTableInTheTargetIsComparedInWhateverOrderItsMembersComeBack() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (String key : new String[] {"kept", "changed"}) {
                ScoredValue<String>[] members = new ScoredValue[300]; // over 128: a skiplist and a hash table in Redis
                for (int i = 0; i < members.length; i++) {
                    members[i] = ScoredValue.just(i * 1.5, "m" + i);
                }
                source.redis().zadd(key, members);
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            target.redis().zadd("changed", ScoredValue.just(-1, "m150"));
            assertEquals("skiplist", target.redis().objectEncoding("kept"));

            VerifyResult result = Copies.verify(spec, false);

            assertEquals(Map.of("changed", "score of 'm150' differs: expected 225.0, target -1.0"), reasons(result));
            assertEquals(1, result.matched());
        }
    }

    @Test
    void aTargetKeyOfEveryTypeRetypedOrMissingIsNamedSoThoughItsTypeIsNotAskedFirst() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            RedisCommands<String, String> s = source.redis();
            s.set("string", "v");
            s.hset("hash", "f", "v");
            s.sadd("set", "m");
            s.zadd("zset", 1, "m");
            s.rpush("list", "e");
            s.xadd("stream", Map.of("f", "v"));
            s.set("gone", "v");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getPolicies().setTypeMismatch(io.keyferry.api.TypeMismatchPolicy.OVERWRITE); // a clash is then a mismatch
            Copies.run(spec);
            VerifyResult clean = Copies.verify(spec, false);
            assertTrue(clean.clean() && clean.matched() == 7, clean.toString());
            RedisCommands<String, String> t = target.redis();
            for (String key : new String[] {"string", "hash", "set", "zset", "list", "stream", "gone"}) {
                t.del(key);
            }
            t.hset("string", "f", "v"); // each probe's first read (GETRANGE, HLEN, SCARD, ...) meets another type
            t.set("hash", "v");
            t.zadd("set", 1, "m");
            t.sadd("zset", "m");
            t.xadd("list", Map.of("f", "v"));
            t.rpush("stream", "e");

            assertEquals(Map.of(
                    "string", "type differs: expected string, target hash",
                    "hash", "type differs: expected hash, target string",
                    "set", "type differs: expected set, target zset",
                    "zset", "type differs: expected zset, target set",
                    "list", "type differs: expected list, target stream",
                    "stream", "type differs: expected stream, target list",
                    "gone", "missing in target"), reasons(Copies.verify(spec, false)));
        }
    }

    @Test
    void keysWhosePrefixesMisleadTheTypeGuessAreCheckedAllTheSame() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 3000; i++) { // one prefix, the type changing every key: every guess is wrong
                switch (i % 3) {
                    case 0 -> source.redis().set("mix:" + i, "v" + i);
                    case 1 -> source.redis().hset("mix:" + i, "f", "v" + i);
                    default -> source.redis().rpush("mix:" + i, "a", "b" + i);
                }
                source.redis().set("str:" + i, "s" + i); // a prefix that tells the type: guessed right
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            assertTrue(Copies.verify(spec, false).clean());

            target.redis().hset("mix:1", "f", "changed");
            target.redis().rpush("mix:2", "extra");
            target.redis().set("mix:3", "changed");
            target.redis().set("str:5", "changed");
            target.redis().del("str:6");

            assertEquals(Map.of(
                    "mix:1", "field 'f' differs",
                    "mix:2", "length differs: expected 2, target 3",
                    "mix:3", "length differs: expected 2 bytes, target 7",
                    "str:5", "length differs: expected 2 bytes, target 7",
                    "str:6", "missing in target"), reasons(Copies.verify(spec, false)));
        }
    }

    @Test
    void aChainWhoseFirstTypeWasLeftIsComparedWithTheTypeTheTargetHas() {
        try (RedisServer first = RedisServer.start(); RedisServer second = RedisServer.start();
             RedisServer target = RedisServer.start()) {
            target.redis().set("k", "before the copy");
            first.redis().hset("k", "f", "v"); // clashes with the target's string: left (typeMismatch Skip)
            second.redis().set("k", "from the second source");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, first, second);
            Copies.run(spec);
            assertEquals("from the second source", target.redis().get("k"));

            VerifyResult clean = Copies.verify(spec, false);
            assertTrue(clean.clean() && clean.matched() == 1, clean.toString());

            target.redis().set("k", "from the second sourcE");
            assertEquals(Map.of("k", "differs at byte 21"), reasons(Copies.verify(spec, false)));
        }
    }

    @Test
    void repairCopiesWhatStillDiffersAndSaysSo() {
        try (RedisServer source = RedisServer.withoutDumpRestore(); RedisServer target = RedisServer.start()) {
            fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            target.redis().hset("hash", "b", "changed");
            target.redis().del("deleted");

            VerifyResult result = Copies.verify(spec, true);

            assertTrue(result.clean(), result.toString());
            assertEquals(2, result.repaired());
            assertEquals(Map.of("hash", "field 'b' differs", "deleted", "missing in target"), reasons(result));
            assertTrue(result.samples().stream().allMatch(VerifyResult.Sample::repaired));
            assertEquals("2", target.redis().hget("hash", "b"));
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    @Test
    void convergesWhileAnApplicationDualWritesAndReportsOnlyThePermanentDamage() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 2000; i++) {
                source.redis().set("k:" + i, "v" + i);
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> dualWrite(source, target, stop));
            writer.start();
            Thread.sleep(200);
            source.redis().set("k:damaged", "written to the old store only");
            spec.getVerify().setRounds(4);

            VerifyResult result;
            try (Migration m = Migration.verifyOnly("test", spec, new FileSecretResolver(null))) {
                m.prepare();
                spec.getVerify().setRoundPauseSeconds(1);
                Thread stopper = new Thread(() -> {
                    sleep(700);
                    stop.set(true);
                });
                stopper.start();
                result = m.verify(ProgressListener.NONE, false);
                stopper.join();
            }
            writer.join();

            assertEquals(Map.of("k:damaged", "missing in target"), reasons(result), result.toString());
            assertEquals(4, result.rounds());
            assertEquals(2001, result.keysChecked());
        }
    }

    @Test
    void extraKeysWithinTheFiltersAreReportedAndRepairedByDeletionOthersAreLeftAlone() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start(); RedisServer target = RedisServer.start()) {
            a.redis().set("user:1", "x");
            a.redis().set("user:2", "y");
            b.redis().hset("cart:1", "item", "1");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, a, b);
            spec.getSources().get(0).getKeys().setMatch("user:*");
            spec.getSources().get(1).getKeys().setAddPrefix("b:");
            spec.getSources().get(1).getKeys().setTypes(java.util.List.of(io.keyferry.api.DataType.HASH));
            Copies.run(spec);
            target.redis().set("user:3", "deleted from the old store while dual-writing");  // in a's filter: extra
            target.redis().hset("b:cart:9", "item", "9");                                      // in b's filter: extra
            target.redis().set("b:note", "a string: outside b's types");                      // left alone
            target.redis().set("other:1", "outside every filter");                            // left alone
            target.redis().set("keyferry:checkpoint:{uid:a}", "{}");                           // KeyFerry's own
            spec.getVerify().setRounds(2);
            spec.getVerify().setRoundPauseSeconds(0);

            VerifyResult found;
            VerifyResult repaired;
            try (Migration m = Migration.verifyOnly("test", spec, new FileSecretResolver(null))) {
                m.prepare();
                assertTrue(m.verify(ProgressListener.NONE, false).clean(), "one direction only: clean");
                found = m.verify(ProgressListener.NONE, false, true);
                repaired = m.verify(ProgressListener.NONE, true, true);
            }
            assertEquals(2, found.mismatches(), found.toString());
            assertEquals(Map.of("user:3", "in the target but in no source (within the migrated key filters)",
                    "b:cart:9", "in the target but in no source (within the migrated key filters)"), reasons(found));
            assertTrue(repaired.clean(), repaired.toString());
            assertEquals(2, repaired.repaired());
            assertEquals(0, target.redis().exists("user:3", "b:cart:9"));
            assertEquals(3, target.redis().exists("b:note", "other:1", "keyferry:checkpoint:{uid:a}"));
            assertEquals("x", target.redis().get("user:1"));
        }
    }

    @Test
    void sampleModeChecksAboutTheRequestedShare() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 4000; i++) {
                source.redis().set("k:" + i, "v");
            }
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            spec.getVerify().setMode(io.keyferry.api.VerifyMode.SAMPLE);
            spec.getVerify().setPercent(25.0);

            VerifyResult result = Copies.verify(spec, false);

            assertTrue(result.clean());
            assertTrue(result.keysChecked() > 800 && result.keysChecked() < 1200, "about a quarter: " + result.keysChecked());
        }
    }

    /** An application writing both stores, not atomically: the old one first, then the new one. */
    private static void dualWrite(RedisServer source, RedisServer target, AtomicBoolean stop) {
        int n = 0;
        while (!stop.get()) {
            String key = "k:" + (n % 10);
            String value = "app-" + n++;
            source.binary().set(key.getBytes(), value.getBytes());
            sleep(3);
            target.binary().set(key.getBytes(), value.getBytes());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fill(RedisCommands<String, String> r) {
        r.hset("hash", Map.of("a", "1", "b", "2"));
        r.sadd("set", "a", "b", "c");
        r.set("deleted", "soon gone from the target");
        r.zadd("zset", ScoredValue.just(1, "a"), ScoredValue.just(2, "b"));
        r.rpush("list", "1", "2", "3");
        r.set("ttl", "expires");
        r.pexpire("ttl", 600_000);
        r.set("string", "12345");
        r.set("untouched:1", "same");
        r.hset("untouched:2", "f", "v");
        r.rpush("untouched:3", "x");
    }

    /** Key to reason, with reasons cut to their stable start where they carry times. */
    static Map<String, String> reasons(VerifyResult result) {
        assertFalse(result.samples().isEmpty() && !result.clean(), "differences come with samples");
        return result.samples().stream().collect(Collectors.toMap(VerifyResult.Sample::key,
                s -> s.reason().startsWith("TTL differs") ? "TTL differs" : s.reason(), (a, b) -> a, TreeMap::new));
    }
}
