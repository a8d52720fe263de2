package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Big keys copied exactly in bounded memory: `keyferry run` under -Xmx256m on a 2-million-field hash, 1-million-member
 * zset, set and list and a 64 MiB string. That no command blocks either server is CommandBoundsTest's (the elements
 * each command touches); the slowest command each server logs is measured by bench/pacing.sh.
 */
class BigKeysTest {
    private static final int MILLION = 1_000_000;

    @Test
    void copiesBigKeysExactlyInBoundedMemory() throws Exception {
        try (RedisServer source = RedisServer.withDebugCommand(); RedisServer target = RedisServer.withDebugCommand()) {
            load(source);
            Path manifest = Files.createTempFile("bigkeys-", ".yaml");
            Files.writeString(manifest, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: bigkeys}\n"
                    + "spec:\n  sources: [{name: big, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                    + "  policies: {default: Overwrite}\n  verify: {mode: \"Off\"}\n");

            ChildJvm child = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress",
                    "--state-dir", Files.createTempDirectory("bigkeys-state").toString());
            int exit = child.waitFor(300);

            assertEquals(0, exit, child.output());
            assertTrue(child.peakRssMb() < 700, "peak RSS " + child.peakRssMb() + " MiB");
            assertAll(Arrays.stream(new String[] {"big:hash", "big:zset", "big:set", "big:list", "big:string"})
                    .map(k -> () -> assertArrayEquals(digest(source, k), digest(target, k), k)));
            assertEquals(64L << 20, target.redis().strlen("big:string"));
            assertEquals(2 * MILLION, target.redis().hlen("big:hash"));

            Path report = Files.createTempFile("bigkeys-verify", ".json");
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress",
                    "--report", report.toString());
            assertEquals(0, verify.waitFor(300), verify.output());
            assertTrue(verify.output().contains("5 keys checked, 5 matched"), verify.output());

            target.redis().hset("big:hash", "field:1234567", "corrupted");
            String endpoint = "endpoint: {uri: \"" + source.uri() + "\"}";
            Path hashOnly = Files.writeString(Files.createTempFile("bigkeys-hash-", ".yaml"), Files.readString(manifest)
                    .replace(endpoint + "}", endpoint + ", keys: {match: \"big:hash\"}}")); // the corrupted key alone
            ChildJvm again = ChildJvm.start("256m", "verify", "-f", hashOnly.toString(), "--no-progress");
            assertEquals(1, again.waitFor(300), again.output());
            assertTrue(again.output().contains("big:hash: field 'field:1234567' differs"), again.output());
        }
    }

    private static void load(RedisServer server) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisAsyncCommands<String, String> r = c.async();
            List<RedisFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < 2 * MILLION; i += 1000) {
                Map<String, String> fields = new HashMap<>();
                List<ScoredValue<String>> scored = new ArrayList<>();
                List<String> members = new ArrayList<>();
                for (int j = i; j < i + 1000; j++) {
                    fields.put("field:" + j, "value:" + j);
                    if (j < MILLION) {
                        scored.add(ScoredValue.just(j * 0.5, "member:" + j));
                        members.add("member:" + j);
                    }
                }
                pending.add(r.hset("big:hash", fields));
                if (!members.isEmpty()) {
                    pending.add(r.zadd("big:zset", scored.toArray(new ScoredValue[0])));
                    pending.add(r.sadd("big:set", members.toArray(new String[0])));
                    pending.add(r.rpush("big:list", members.toArray(new String[0])));
                }
                if (pending.size() > 200) {
                    awaitAll(pending);
                }
            }
            String mib = "x".repeat((1 << 20) - 8);
            for (int i = 0; i < 64; i++) {
                pending.add(r.append("big:string", String.format("%08d", i) + mib));
            }
            awaitAll(pending);
        } finally {
            client.shutdown();
        }
    }

    private static void awaitAll(List<RedisFuture<?>> pending) {
        for (RedisFuture<?> f : pending) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        pending.clear();
    }

    /** DEBUG DIGEST-VALUE: a hash of the whole value, equal exactly when the values are. */
    private static byte[] digest(RedisServer server, String key) {
        String reply = server.redis().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("DIGEST-VALUE").addKey(key));
        return reply.getBytes();
    }
}
