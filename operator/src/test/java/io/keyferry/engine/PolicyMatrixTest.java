package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.keyferry.testing.peers.StoreDouble;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every policy on every type, with the key present in the target and absent from it, on servers
 * with DUMP/RESTORE and on servers without it (as Pika is). Values and TTLs are asserted whole.
 */
class PolicyMatrixTest {
    private static final long SOURCE_TTL = 100_000;
    private static final long TARGET_TTL = 50_000;

    /** Each policy between Redis servers with and without DUMP/RESTORE, and into a Kvrocks (its recorded double). */
    static Stream<Arguments> cases() {
        return Stream.of(Policy.values()).flatMap(p -> Stream.of(Arguments.of(p, true, false), Arguments.of(p, false, false),
                Arguments.of(p, true, true)));
    }

    @ParameterizedTest(name = "{0}, DUMP/RESTORE available: {1}, into Kvrocks: {2}")
    @MethodSource("cases")
    void appliesThePolicyToEveryTypeAndCopiesAbsentKeysExactly(Policy policy, boolean dumpRestore, boolean kvrocks) {
        try (RedisServer source = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore();
             RedisServer target = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore();
             StoreDouble kvrocksTarget = kvrocks ? StoreDouble.kvrocks(target) : null) {
            fillSource(source.redis());
            fillTarget(target.redis());
            DataMigrationSpec spec = Copies.spec(target, policy, source);
            if (kvrocks) {
                spec.getTarget().setEndpoint(Copies.endpoint(kvrocksTarget.uri()));
            }
            // Merge has no meaning for strings; that run overwrites them.
            spec.getPolicies().setString(policy == Policy.MERGE ? Policy.OVERWRITE : policy);

            CopyResult result = Copies.run(spec);

            RedisCommands<String, String> t = target.redis();
            assertAll(expected(policy).entrySet().stream().map(e -> () ->
                    assertEquals(e.getValue(), Values.of(t, e.getKey()) + " ttl:" + ttl(t, e.getKey()), e.getKey())));
            // A key's TTL is set during the copy: the target's expiry is at most the copy's duration later than the
            // source's (a busy machine stretched one write past 5 ms into Redis, 7 ms through the Kvrocks double).
            assertAbsentKeysCopiedExactly(source.redis(), t, Math.max(kvrocks ? 50 : 5, result.elapsedMillis()));
            for (DataType type : DataType.values()) {
                assertEquals(1, result.total().get(type, Outcome.WRITTEN), type + " written");
                assertEquals(1, result.total().get(type, outcome(policy, type)), type + " " + outcome(policy, type));
            }
            assertEquals(12, result.keysScanned());
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), "no false positives: " + verified);
            assertEquals(12, verified.keysChecked());
            assertEquals(policy == Policy.SKIP ? 6 : policy == Policy.FILL ? 2 : 0, verified.skipped(),
                    "keys left different by policy count as skipped: " + verified);
        }
    }

    private static Outcome outcome(Policy policy, DataType type) {
        return switch (policy) {
            case OVERWRITE -> Outcome.OVERWRITTEN;
            case MERGE -> type == DataType.STRING ? Outcome.OVERWRITTEN : Outcome.MERGED;
            case FILL -> type == DataType.STRING || type == DataType.LIST ? Outcome.SKIPPED : Outcome.FILLED;
            case SKIP -> Outcome.SKIPPED;
        };
    }

    private static Map<String, String> expected(Policy p) {
        boolean over = p == Policy.OVERWRITE;
        boolean merge = p == Policy.MERGE;
        boolean fill = p == Policy.FILL;
        String stream = over ? "stream:[1-1{f=a},2-1{f=b}] groups:[g1@1-1] ttl:none"
                : merge || fill ? "stream:[1-1{f=x},1-5{f=y},2-1{f=b}] groups:[g1@1-1,g2@0-0] ttl:none"
                : "stream:[1-1{f=x},1-5{f=y}] groups:[g2@0-0] ttl:none";
        return Map.of(
                "str:present", over || merge ? "string:S ttl:source" : "string:T ttl:none",
                "hash:present", over ? "hash:{a=1, b=2} ttl:source" : merge ? "hash:{a=1, b=2, c=3} ttl:source"
                        : fill ? "hash:{a=1, b=X, c=3} ttl:source" : "hash:{b=X, c=3} ttl:target",
                "list:present", over ? "list:[1, 2] ttl:none" : merge ? "list:[x, 1, 2] ttl:none" : "list:[x] ttl:target",
                "set:present", over ? "set:[a, b] ttl:source" : merge || fill ? "set:[a, b, c] ttl:none" : "set:[b, c] ttl:none",
                "zset:present", over ? "zset:[a=1,b=2] ttl:none" : merge ? "zset:[a=1,b=2,c=3] ttl:none"
                        : fill ? "zset:[a=1,c=3,b=9] ttl:none" : "zset:[c=3,b=9] ttl:target",
                "stream:present", stream);
    }

    /** @param latencyMs how much later than the source's a target key may expire: the write's latency, at most the copy's */
    private static void assertAbsentKeysCopiedExactly(RedisCommands<String, String> s, RedisCommands<String, String> t,
                                                      long latencyMs) {
        for (String type : new String[] {"str", "hash", "list", "set", "zset", "stream"}) {
            String key = type + ":absent";
            assertEquals(Values.of(s, key), Values.of(t, key), key);
            long sourceTtl = s.pttl(key);
            long targetTtl = t.pttl(key);
            if (sourceTtl < 0) {
                assertEquals(sourceTtl, targetTtl, key + " has no TTL on either side");
            } else {
                // Carried to the millisecond: at most the write's latency later, and only the copy's duration earlier.
                assertTrue(targetTtl <= sourceTtl + latencyMs && targetTtl > sourceTtl - 3_000,
                        key + " ttl " + targetTtl + " vs " + sourceTtl);
            }
        }
    }

    /** Which side's TTL a key ended with: none, the source's or the target's. */
    private static String ttl(RedisCommands<String, String> r, String key) {
        long ms = r.pttl(key);
        if (ms < 0) {
            return "none";
        }
        if (ms > SOURCE_TTL - 10_000 && ms <= SOURCE_TTL) {
            return "source";
        }
        return ms > TARGET_TTL - 10_000 && ms <= TARGET_TTL ? "target" : String.valueOf(ms);
    }

    private static void fillSource(RedisCommands<String, String> r) {
        for (String suffix : new String[] {":present", ":absent"}) {
            r.set("str" + suffix, "S");
            r.pexpire("str" + suffix, SOURCE_TTL);
            r.hset("hash" + suffix, Map.of("a", "1", "b", "2"));
            r.pexpire("hash" + suffix, SOURCE_TTL);
            r.rpush("list" + suffix, "1", "2");
            r.sadd("set" + suffix, "a", "b");
            r.pexpire("set" + suffix, SOURCE_TTL);
            r.zadd("zset" + suffix, ScoredValue.just(1, "a"), ScoredValue.just(2, "b"));
            r.xadd("stream" + suffix, new XAddArgs().id("1-1"), Map.of("f", "a"));
            r.xadd("stream" + suffix, new XAddArgs().id("2-1"), Map.of("f", "b"));
            r.xgroupCreate(StreamOffset.from("stream" + suffix, "1-1"), "g1");
        }
    }

    private static void fillTarget(RedisCommands<String, String> r) {
        r.set("str:present", "T");
        r.hset("hash:present", Map.of("b", "X", "c", "3"));
        r.pexpire("hash:present", TARGET_TTL);
        r.rpush("list:present", "x");
        r.pexpire("list:present", TARGET_TTL);
        r.sadd("set:present", "b", "c");
        r.zadd("zset:present", ScoredValue.just(9, "b"), ScoredValue.just(3, "c"));
        r.pexpire("zset:present", TARGET_TTL);
        r.xadd("stream:present", new XAddArgs().id("1-1"), Map.of("f", "x"));
        r.xadd("stream:present", new XAddArgs().id("1-5"), Map.of("f", "y"));
        r.xgroupCreate(StreamOffset.from("stream:present", "0-0"), "g2", XGroupCreateArgs.Builder.mkstream());
    }
}
