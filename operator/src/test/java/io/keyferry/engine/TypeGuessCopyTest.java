package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The copy sizes a collection in its first round trip when its name's prefix tells its type: keys whose
 * prefixes mislead that guess, a big key sized that way, TTLs and the keys.types filter come out as without it.
 */
class TypeGuessCopyTest {

    @ParameterizedTest(name = "DUMP/RESTORE available: {0}")
    @ValueSource(booleans = {true, false})
    void keysWhosePrefixesMisleadTheGuessAreCopiedAsTheyAre(boolean dumpRestore) {
        try (RedisServer source = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore();
             RedisServer target = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore()) {
            Map<DataType, Long> written = fill(source.redis());
            Map<String, String> expected = Values.snapshot(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(100); // many batches: the later ones guess from the earlier

            CopyResult result = Copies.run(spec);

            assertEquals(expected, Values.snapshot(target.redis()));
            written.forEach((type, n) -> assertEquals(n, result.total().get(type, Outcome.WRITTEN), type.wireName()));
            assertEquals(5000, target.redis().hlen("h:big"), "a big hash sized by its guess is copied in chunks");
            for (String key : List.of("z:7", "h:odd", "mix:3")) {
                long ttl = target.redis().pttl(key);
                assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, key + " keeps its TTL: " + ttl);
            }
            assertTrue(Copies.verify(spec, false).clean());
        }
    }

    @Test
    void theTypesFilterHoldsForGuessedKeys() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            Map<DataType, Long> written = fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getWorker().setBatchSize(100);
            spec.getSources().get(0).getKeys().setTypes(List.of(DataType.HASH, DataType.STRING));

            CopyResult result = Copies.run(spec);

            Map<String, String> expected = new HashMap<>();
            Values.snapshot(source.redis()).forEach((k, v) -> {
                if (v.startsWith("hash:") || v.startsWith("string:")) {
                    expected.put(k, v);
                }
            });
            assertEquals(expected, new HashMap<>(Values.snapshot(target.redis())));
            assertEquals(written.get(DataType.HASH) + written.get(DataType.STRING), result.total().keys(),
                    "keys outside keys.types are not decided on");
        }
    }

    /**
     * Hashes under "h:" with a string and a set among them (guessed wrong, guessing goes on); zsets under
     * "z:"; under "mix:" every type in turn (most guesses wrong: guessing pauses); strings under "s:".
     */
    private static Map<DataType, Long> fill(RedisCommands<String, String> r) {
        Map<DataType, Long> n = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            r.hset("h:" + i, Map.of("f", "v" + i, "g", "w"));
            r.zadd("z:" + i, i, "m" + i);
            r.set("s:" + i, "s" + i);
        }
        n.merge(DataType.HASH, 400L, Long::sum);
        n.merge(DataType.ZSET, 400L, Long::sum);
        n.merge(DataType.STRING, 400L, Long::sum);
        r.pexpire("z:7", 3_600_000);
        r.set("h:odd", "a string among hashes");
        r.pexpire("h:odd", 3_600_000);
        r.sadd("h:set", "a", "set", "among", "hashes");
        Map<String, String> big = new HashMap<>();
        for (int f = 0; f < 5000; f++) { // past the 4,096 fields copied whole
            big.put("f" + f, "v" + f);
        }
        r.hset("h:big", big);
        n.merge(DataType.HASH, 1L, Long::sum);
        n.merge(DataType.STRING, 1L, Long::sum);
        n.merge(DataType.SET, 1L, Long::sum);
        for (int i = 0; i < 500; i++) {
            String key = "mix:" + i;
            switch (i % 5) {
                case 0 -> r.hset(key, "f", "v" + i);
                case 1 -> r.sadd(key, "m" + i);
                case 2 -> r.zadd(key, 1.5, "m" + i);
                case 3 -> r.rpush(key, "a", "b" + i);
                default -> r.set(key, "v" + i);
            }
            n.merge(List.of(DataType.HASH, DataType.SET, DataType.ZSET, DataType.LIST, DataType.STRING).get(i % 5), 1L, Long::sum);
        }
        r.pexpire("mix:3", 3_600_000);
        return n;
    }
}
