package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Keys one source writes under Overwrite are compared by digest: the target is sent the source's read, not its
 * elements, and a key whose members come back in another order still matches; a difference the digest shows is
 * read again whole and named as before.
 */
class DigestVerificationTest {

    @Test
    void aCleanCopyIsComparedByDigestsAndTheTargetIsNeverSentTheSourcesElements() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            RedisCommands<String, String> s = source.redis();
            s.hset("hash", Map.of("a", "1", "b", "2"));
            for (int i = 0; i < 600; i++) {
                s.hset("wide", "field-" + i, "value-" + i); // past 512 fields: a hash table, whose order is the server's own
            }
            assertEquals("hashtable", s.objectEncoding("wide"));
            s.sadd("words", "alpha", "beta", "gamma", "delta"); // a hash table in Redis 7.0
            s.sadd("numbers", "3", "1", "2");
            s.zadd("zset", ScoredValue.just(1.5, "a"), ScoredValue.just(2, "b"));
            s.rpush("list", "x", "y", "z");
            s.set("string", "value");
            s.set("ttl", "expires");
            s.pexpire("ttl", 600_000);
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            assertNotEquals(hscan(source, "wide"), hscan(target, "wide"), "the two servers return the wide hash in other orders");
            target.redis().configResetstat();

            VerifyResult result = Copies.verify(spec, false);

            assertTrue(result.clean(), result.toString());
            assertEquals(8, result.matched());
            Map<String, Long> calls = calls(target);
            for (String asked : List.of("hmget", "hlen", "smismember", "sismember", "scard", "zcard", "llen", "type")) {
                assertEquals(0L, calls.getOrDefault(asked, 0L), asked + " was sent to the target: " + calls);
            }
            assertEquals(Map.of("getrange", 2L, "hscan", 2L, "lrange", 1L, "pttl", 8L + 1, "sscan", 2L, "zscan", 1L), calls,
                    "each key: its PTTL and the source's read, once (and the probe's PTTL of a missing key)");
        }
    }

    @Test
    void differencesADigestShowsAreReadAgainWholeAndNamed() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            RedisCommands<String, String> s = source.redis();
            s.hset("hash", "a", "1");
            s.hset("hash", "b", "2");
            s.rpush("list", "1", "2", "3");
            s.sadd("set", "a", "b");
            s.zadd("zset", ScoredValue.just(1, "a"), ScoredValue.just(2, "b"));
            s.set("ttl", "v");
            s.pexpire("ttl", 600_000);
            s.set("same", "v");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            RedisCommands<String, String> t = target.redis();
            t.hset("hash", Map.of("a", "2", "b", "1")); // the values swapped: the same strings, other pairs
            t.del("list");
            t.rpush("list", "2", "1", "3");
            t.srem("set", "b");
            t.sadd("set", "c");
            t.zadd("zset", ScoredValue.just(2, "a"), ScoredValue.just(1, "b"));
            t.pexpire("ttl", 60_000);

            VerifyResult result = Copies.verify(spec, false);

            assertEquals(Map.of(
                    "hash", "field 'a' differs",
                    "list", "element 0 differs",
                    "set", "member 'b' missing",
                    "zset", "score of 'b' differs: expected 2.0, target 1.0",
                    "ttl", "TTL differs"), VerificationTest.reasons(result));
            assertEquals(1, result.matched());
        }
    }

    /**
     * Pika answers PTTL 0 for a key it does not have (recorded), so a missing key shows only as an empty value: a digest
     * of no element never vouches for a key (an empty string digests as a missing one), and such keys are compared
     * whole, as before.
     */
    @Test
    void intoPikaDigestsVouchOnlyForKeysWithAnElementAndMissingKeysAreStillFound() {
        try (RedisServer source = RedisServer.start(); RedisServer behindPika = RedisServer.start();
             io.keyferry.testing.peers.StoreDouble pika = io.keyferry.testing.peers.StoreDouble.pika(behindPika)) {
            RedisCommands<String, String> s = source.redis();
            s.hset("hash", "f", "v");
            s.rpush("list", "a", "b");
            s.set("string", "value");
            s.set("empty", "");
            s.set("gone", "v");
            s.sadd("gone-set", "m");
            DataMigrationSpec spec = Copies.spec("redis", source.uri(), pika.uri(), Policy.OVERWRITE);
            Copies.run(spec);
            behindPika.redis().del("empty", "gone", "gone-set");
            behindPika.redis().configResetstat();

            VerifyResult result = Copies.verify(spec, false);

            assertEquals(3, result.matched(), result.toString());
            // Named as the whole comparison names them on Pika, whose PTTL of a missing key is 0.
            assertEquals(Map.of("empty", "TTL differs", "gone", "length differs: expected 1 bytes, target 0",
                    "gone-set", "member 'm' missing"), VerificationTest.reasons(result));
            assertEquals(0L, calls(behindPika).getOrDefault("hmget", 0L), "the hash was compared by digest");
        }
    }

    private static List<String> hscan(RedisServer server, String key) {
        return server.redis().hscan(key, ScanCursor.INITIAL, ScanArgs.Builder.limit(1000)).getMap().keySet().stream().toList();
    }

    /** Calls per command since the last reset, without the verification's own start (INFO, CONFIG, ...). */
    private static Map<String, Long> calls(RedisServer server) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : server.redis().info("commandstats").lines().toList()) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                long n = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
                if (List.of("hmget", "hlen", "smismember", "sismember", "scard", "zcard", "llen", "type", "getrange", "hscan",
                        "lrange", "pttl", "sscan", "zscan").contains(name)) {
                    calls.put(name, n);
                }
            }
        }
        return calls;
    }
}
