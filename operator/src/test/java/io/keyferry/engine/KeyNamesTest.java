package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key names and values a copy must carry as they are: keys of every byte value 0 to 255, the empty key, keys that
 * look like KeyFerry's own checkpoint keys (while this copy keeps its checkpoint in the same target), and
 * collections with a quarter of a million fields. Copied with and without DUMP/RESTORE, then verified clean.
 */
class KeyNamesTest {
    private static final int FIELDS = 250_000;

    @ParameterizedTest(name = "DUMP/RESTORE available: {0}")
    @ValueSource(booleans = {true, false})
    void copiesEveryByteEmptyKeysCheckpointLookAlikesAndHugeCollectionsExactly(boolean dumpRestore) {
        try (RedisServer source = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore();
             RedisServer target = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore()) {
            RedisCommands<byte[], byte[]> s = source.binary();
            for (int b = 0; b < 256; b++) {
                s.set(new byte[] {(byte) b}, new byte[] {(byte) b, (byte) (255 - b)});
                s.hset(bytes("bytes"), new byte[] {'f', (byte) b}, new byte[] {(byte) b});
            }
            byte[] everyByte = new byte[256];
            for (int b = 0; b < 256; b++) {
                everyByte[b] = (byte) b;
            }
            s.set(everyByte, everyByte);
            s.set(new byte[0], bytes("the empty key"));
            s.hset(bytes("an empty field"), new byte[0], new byte[0]);
            String own = TargetCheckpointStore.keyFor("names");
            s.set(bytes(TargetCheckpointStore.keyFor("another-copy")), bytes("{\"migration\": \"not ours\"}"));
            s.set(bytes(TargetCheckpointStore.keyFor("another-copy") + ":fence"), bytes("41"));
            s.rpush(bytes(TargetCheckpointStore.KEY_PREFIX), bytes("a list named like the prefix"));
            s.sadd(bytes(own + "x"), bytes("a set one character longer than this copy's checkpoint key"));
            load(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);

            try (Migration m = new Migration("names", spec, new FileSecretResolver(null),
                    connect -> new TargetCheckpointStore(connect.get(), "names"))) {
                m.prepare();
                m.copy(ProgressListener.NONE);
            }

            RedisCommands<byte[], byte[]> t = target.binary();
            assertArrayEquals(everyByte, t.get(everyByte));
            assertArrayEquals(bytes("the empty key"), t.get(new byte[0]));
            assertArrayEquals(new byte[0], t.hget(bytes("an empty field"), new byte[0]));
            assertEquals(256, t.hlen(bytes("bytes")));
            assertEquals("41", target.redis().get(TargetCheckpointStore.keyFor("another-copy") + ":fence"));
            assertEquals(FIELDS, target.redis().hlen("huge:hash"));
            assertEquals(FIELDS, target.redis().zcard("huge:zset"));
            assertTrue(target.redis().get(own).contains("\"finishedAt\""), "this copy's own checkpoint is intact");
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
            assertEquals(256 + 8 + 2, verified.keysChecked(), "every source key, and not the copy's own checkpoint");
        }
    }

    private static void load(RedisCommands<String, String> r) {
        for (int i = 0; i < FIELDS; i += 10_000) {
            Map<String, String> fields = new HashMap<>();
            Object[] scored = new Object[20_000];
            for (int j = 0; j < 10_000; j++) {
                fields.put("f" + (i + j), "");
                scored[2 * j] = (double) -(i + j);
                scored[2 * j + 1] = "m" + (i + j);
            }
            r.hset("huge:hash", fields);
            r.zadd("huge:zset", scored);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
