package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.KeySelector;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.keyferry.testing.peers.StoreDouble;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Three sources with overlapping keys and type clashes into a pre-filled target, applied in list order. */
class MultiSourceTest {

    @Test
    void laterSourcesWinAndTypeClashesAreOverwrittenInListOrder() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.withoutDumpRestore();
             RedisServer c = RedisServer.start(); RedisServer target = RedisServer.start()) {
            fill(a, b, c, target);
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP, a, b, c);
            policies(spec.getPolicies(), TypeMismatchPolicy.OVERWRITE);

            CopyResult result = Copies.run(spec);

            assertTarget(target, Map.of("clash", "list:[c]"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), "no false positives: " + verified);
            assertEquals(2, result.total().get(DataType.HASH, Outcome.TYPE_MISMATCH_OVERWRITTEN)
                    + result.total().get(DataType.LIST, Outcome.TYPE_MISMATCH_OVERWRITTEN), "clash replaced twice");
            assertEquals(2, result.total().get(DataType.STRING, Outcome.OVERWRITTEN) - 1, "t:str overwritten by b and c");
            assertEquals(3, result.total().get(DataType.HASH, Outcome.MERGED), "t:hash merged three times");
        }
    }

    /**
     * The seed scenario, on the recorded stores' doubles: Pikas merged into one Kvrocks, with the same policies and the
     * same result as between Redis servers.
     */
    @Test
    void pikasMergedIntoOneKvrocksEndAsBetweenRedisServers() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start(); RedisServer c = RedisServer.start();
             RedisServer target = RedisServer.start();
             StoreDouble pikaA = StoreDouble.pika(a); StoreDouble pikaB = StoreDouble.pika(b); StoreDouble pikaC = StoreDouble.pika(c);
             StoreDouble kvrocks = StoreDouble.kvrocks(target)) {
            fill(a, b, c, target);
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP);
            spec.getSources().add(Copies.source("pika-0", pikaA.uri()));
            spec.getSources().add(Copies.source("pika-1", pikaB.uri()));
            spec.getSources().add(Copies.source("pika-2", pikaC.uri()));
            spec.getTarget().setEndpoint(Copies.endpoint(kvrocks.uri()));
            policies(spec.getPolicies(), TypeMismatchPolicy.OVERWRITE);

            Copies.run(spec);

            assertTarget(target, Map.of("clash", "list:[c]"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), "no false positives: " + verified);
        }
    }

    @Test
    void typeClashesUnderSkipKeepTheFirstSourcesKey() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start();
             RedisServer c = RedisServer.withoutDumpRestore(); RedisServer target = RedisServer.start()) {
            fill(a, b, c, target);
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP, a, b, c);
            policies(spec.getPolicies(), TypeMismatchPolicy.SKIP);

            CopyResult result = Copies.run(spec);

            assertTarget(target, Map.of("clash", "string:a-string"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), "no false positives: " + verified);
            assertEquals(1, result.total().get(DataType.HASH, Outcome.TYPE_MISMATCH_SKIPPED));
            assertEquals(1, result.total().get(DataType.LIST, Outcome.TYPE_MISMATCH_SKIPPED));
        }
    }

    @Test
    void selectsKeysByMatchAndTypeAndRenamesThemWithThePrefix() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            RedisCommands<String, String> s = source.redis();
            s.hset("user:1", "name", "ada");
            s.set("user:2", "a string, filtered out by type");
            s.hset("order:1", "sku", "filtered out by match");
            s.hset("user:[x]", "odd", "name with glob characters");
            DataMigrationSpec spec = Copies.spec(target, Policy.SKIP, source);
            KeySelector keys = spec.getSources().get(0).getKeys();
            keys.setMatch("user:*");
            keys.setTypes(List.of(DataType.HASH));
            keys.setAddPrefix("legacy:");

            CopyResult result = Copies.run(spec);

            assertEquals(Map.of("legacy:user:1", "hash:{name=ada}", "legacy:user:[x]", "hash:{odd=name with glob characters}"),
                    Values.snapshot(target.redis()));
            assertEquals(2, result.total().get(DataType.HASH, Outcome.WRITTEN));
            assertEquals(2, result.total().keys(), "keys outside keys.types are not decided on");
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), "no false positives: " + verified);
            assertEquals(2, verified.keysChecked());
        }
    }

    private static void policies(PolicySpec p, TypeMismatchPolicy onClash) {
        p.setString(Policy.OVERWRITE);
        p.setHash(Policy.MERGE);
        p.setSet(Policy.FILL);
        p.setZset(Policy.MERGE);
        p.setList(Policy.SKIP);
        p.setTypeMismatch(onClash);
    }

    private static void fill(RedisServer a, RedisServer b, RedisServer c, RedisServer target) {
        RedisCommands<String, String> t = target.redis();
        t.set("t:str", "target");
        t.hset("t:hash", Map.of("w", "0", "x", "0"));
        t.sadd("t:set", "z");
        t.rpush("t:list", "t");
        t.set("t:only", "keep");

        RedisCommands<String, String> ra = a.redis();
        ra.set("t:str", "a");
        ra.hset("t:hash", "x", "1");
        ra.sadd("t:set", "a");
        ra.rpush("t:list", "a");
        ra.set("clash", "a-string");
        ra.set("a:only", "A");
        ra.zadd("zs", ScoredValue.just(1, "m"));

        RedisCommands<String, String> rb = b.redis();
        rb.set("t:str", "b");
        rb.hset("t:hash", Map.of("x", "2", "y", "2"));
        rb.sadd("t:set", "b");
        rb.rpush("t:list", "b");
        rb.hset("clash", "f", "b");
        rb.zadd("zs", ScoredValue.just(2, "m"), ScoredValue.just(2, "n"));

        RedisCommands<String, String> rc = c.redis();
        rc.set("t:str", "c");
        rc.hset("t:hash", "z", "3");
        rc.rpush("clash", "c");
        rc.set("c:only", "C");
    }

    private static void assertTarget(RedisServer target, Map<String, String> clash) {
        Map<String, String> expected = new TreeMap<>(Map.of(
                "t:str", "string:c",
                "t:hash", "hash:{w=0, x=2, y=2, z=3}",
                "t:set", "set:[a, b, z]",
                "t:list", "list:[t]",
                "t:only", "string:keep",
                "a:only", "string:A",
                "c:only", "string:C",
                "zs", "zset:[m=2,n=2]"));
        expected.putAll(clash);
        Map<String, String> actual = Values.snapshot(target.redis());
        assertAll(expected.keySet().stream().map(k -> () -> assertEquals(expected.get(k), actual.get(k), k)));
        assertEquals(expected.keySet(), actual.keySet(), "no other keys in the target");
    }
}
