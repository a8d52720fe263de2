package io.keyferry.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sources and a pre-filled target for undo tests: every type, on both sides, overlapping in part, some with
 * expiries, some of another type in the target (a type mismatch), keys only the target has, and big keys that the
 * copy and a journal without DUMP take in chunks.
 */
public final class UndoData {
    private static final String[] TYPES = {"str", "hash", "list", "set", "zset", "stream"};

    private UndoData() {}

    /** Source {@code s} of three: keys N of every type where N % 3 == s or N is even. */
    public static void source(RedisServer server, int s, int keys, boolean streams) {
        fill(server, keys, streams, (a, type, i, out) -> {
            if (i % 3 != s && i % 2 != 0) {
                return;
            }
            String key = type + ":" + i;
            String v = "s" + s + "-" + i;
            out.add(write(a, type, key, v, s + 2));
            if (i % 4 == 0) {
                out.add(a.pexpire(key, 600_000 + i));
            }
        });
        if (s == 0) {
            big(server, "src", 1500, 700_000);
        }
    }

    /** The target before the migration: half the keys with other values, every seventh of another type, its own keys. */
    public static void target(RedisServer server, int keys, boolean streams) {
        fill(server, keys, streams, (a, type, i, out) -> {
            String key = type + ":" + i;
            if (i % 7 == 0) {
                out.add(a.hset(key, Map.of("clash", "t" + i))); // a hash where the sources have another type
            } else if (i % 2 == 0 || i % 5 == 0) {
                out.add(write(a, type, key, "t-" + i, 1));
            }
            if (i % 3 == 0) {
                out.add(a.pexpire(key, 300_000 + i));
            }
            if (type.equals("str")) {
                out.add(a.set("own:" + i, "target only " + i));
            }
        });
        big(server, "tgt", 1300, 600_000);
        server.redis().pexpire("big:str", 900_000);
    }

    private interface Writer {
        void write(RedisAsyncCommands<String, String> a, String type, int i, List<RedisFuture<?>> out);
    }

    private static void fill(RedisServer server, int keys, boolean streams, Writer writer) {
        RedisClient client = RedisClient.create(server.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> a = c.async();
            List<RedisFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                for (String type : TYPES) {
                    if (streams || !type.equals("stream")) {
                        writer.write(a, type, i, pending);
                    }
                }
            }
            c.flushCommands();
            for (RedisFuture<?> f : pending) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.shutdown();
        }
    }

    private static RedisFuture<?> write(RedisAsyncCommands<String, String> a, String type, String key, String v, int n) {
        return switch (type) {
            case "str" -> a.set(key, v);
            case "hash" -> a.hset(key, Map.of("f", v, "only-" + v, "x", "g", "same"));
            case "list" -> a.rpush(key, v, "a", "b");
            case "set" -> a.sadd(key, v, "common");
            case "zset" -> a.zadd(key, (double) n, v, 1.5, "common");
            default -> a.xadd(key, new XAddArgs().id(n + "-" + (v.hashCode() & 0xffff)), Map.of("v", v));
        };
    }

    /** A big hash, list and string (chunked by the copy, and by a journal without DUMP). */
    private static void big(RedisServer server, String tag, int elements, int stringBytes) {
        var r = server.redis();
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < elements; i++) {
            fields.put("f" + i, tag + i);
            items.add(tag + "-" + i);
        }
        r.hset("big:hash", fields);
        r.rpush("big:list", items.toArray(String[]::new));
        r.sadd("big:set", items.toArray(String[]::new));
        r.set("big:str", tag.repeat(stringBytes / tag.length()));
    }
}
