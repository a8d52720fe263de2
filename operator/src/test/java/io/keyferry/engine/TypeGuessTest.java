package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.TypeGuess;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keys are guessed by their prefix and last part (runs holding a digit masked), else their prefix: an application's
 * keys under one prefix by their last part, hashed names by the commonest type. Counted in TYPE commands the source answered, not in time.
 */
class TypeGuessTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shapesTellAnApplicationsKeysApartAndHashedNamesGetTheirCommonestType() {
        TypeGuess g = new TypeGuess();
        g.learn(b("app:1042:session"), DataType.STRING);
        g.learn(b("app:77:profile"), DataType.HASH);
        g.learn(b("app:5:feed"), DataType.LIST);
        assertEquals(DataType.STRING, g.guess(b("app:9:session")));
        assertEquals(DataType.HASH, g.guess(b("app:123456:profile")));
        assertEquals(DataType.LIST, g.guess(b("app:user-8f3a:feed")), "the prefix and the last part decide");
        assertNull(g.guess(b("app:9:tags")), "a last part not seen yet, and no type holds most of the prefix");
        g.learn(b("user:alice"), DataType.HASH);
        assertEquals(DataType.HASH, g.guess(b("user:bob")), "a prefix whose keys are of one type");
        g.learn(b("app:1:tags"), DataType.SET);
        g.learn(b("app:2:tags"), DataType.SET);
        g.learn(b("app:3:tags"), DataType.SET);
        g.learn(b("app:4:tags"), DataType.SET);
        assertEquals(DataType.SET, g.guess(b("app:5:tags")));
        assertEquals(DataType.SET, g.guess(b("app:5:scores")), "an unknown last part: the prefix's commonest (4 sets of 7)");

        for (int i = 0; i < 7; i++) {
            g.learn(b(Integer.toHexString(0x9f86d081 + i * 7919)), DataType.STRING);
        }
        for (int i = 0; i < 3; i++) {
            g.learn(b(Integer.toHexString(0x1234abcd + i)), i == 0 ? DataType.HASH : DataType.SET);
        }
        assertEquals(DataType.STRING, g.guess(b("cfa2ed2aac6d61f4")), "7 of 10 hashed names were strings");

        TypeGuess even = new TypeGuess();
        even.learn(b("x1"), DataType.STRING);
        even.learn(b("x2"), DataType.HASH);
        assertNull(even.guess(b("x3")), "no type holds more than half: no guess");
    }

    @Test
    void anApplicationKeyspaceAndAHashedOneAreCopiedWithFewTypeCommands() {
        try (RedisServer app = RedisServer.start(); RedisServer hashed = RedisServer.start();
             RedisServer appTarget = RedisServer.start(); RedisServer hashedTarget = RedisServer.start()) {
            int keys = 3000;
            fill(app.redis(), keys, i -> "app:" + i + ":" + new String[] {"session", "profile", "feed"}[i % 3]);
            // hashed names: strings for 7 in 10, as the benchmark's mix
            fill(hashed.redis(), keys, i -> String.format("%016x", (long) i * 0x9E3779B97F4A7C15L), i -> i % 10 < 7 ? 0 : 1 + i % 2);
            for (RedisServer[] pair : new RedisServer[][] {{app, appTarget}, {hashed, hashedTarget}}) {
                pair[0].redis().configResetstat();
                DataMigrationSpec spec = Copies.spec(pair[1], Policy.OVERWRITE, pair[0]);
                spec.getWorker().setBatchSize(100);
                Copies.run(spec);
                long types = calls(pair[0].redis(), "type"); // before the snapshot below asks TYPE of every key
                assertEquals(Values.snapshot(pair[0].redis()), Values.snapshot(pair[1].redis()));
                // app: every shape learned in the first batch; hashed: the 3 in 10 non-strings are asked after a wrong guess
                long most = pair[0] == app ? 200 : keys * 4 / 10;
                System.out.println("[type guess] " + (pair[0] == app ? "app" : "hashed") + ": TYPE asked " + types + " times for " + keys + " keys");
                assertTrue(types <= most, "TYPE asked " + types + " times for " + keys + " keys (at most " + most + ")");
            }
        }
    }

    private static void fill(RedisCommands<String, String> r, int n, java.util.function.IntFunction<String> name) {
        fill(r, n, name, i -> i % 3);
    }

    /** @param kind 0 a string, 1 a hash, 2 a list */
    private static void fill(RedisCommands<String, String> r, int n, java.util.function.IntFunction<String> name,
                             java.util.function.IntUnaryOperator kind) {
        for (int i = 0; i < n; i++) {
            String key = name.apply(i);
            switch (kind.applyAsInt(i)) {
                case 0 -> r.set(key, "v" + i);
                case 1 -> r.hset(key, Map.of("f", "v" + i));
                default -> r.rpush(key, "a", "b" + i);
            }
        }
    }

    private static long calls(RedisCommands<String, String> r, String command) {
        return r.info("commandstats").lines().filter(l -> l.startsWith("cmdstat_" + command + ":")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("^cmdstat_\\w+:calls=(\\d+),.*", "$1"))).orElse(0L);
    }
}
