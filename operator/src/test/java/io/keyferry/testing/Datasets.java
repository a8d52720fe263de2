package io.keyferry.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keyspaces loaded fast (pipelined) into a test's server. */
public final class Datasets {
    private Datasets() {}

    /** The name of the i-th key of {@link #mixed}: its type, then its number. */
    public static String key(int i) {
        return switch (i % 10) {
            case 7 -> "hash:" + i;
            case 8 -> "list:" + i;
            case 9 -> (i % 20 == 9 ? "set:" : "zset:") + i;
            default -> "str:" + i;
        };
    }

    /**
     * {@code hot} of the {@code keys} keys of {@link #mixed}, in runs of ten spread over the keyspace: each run holds seven
     * strings, a hash, a list, and a set or a sorted set.
     */
    public static List<String> hotKeys(int keys, int hot) {
        int runs = hot / 10;
        int stride = keys / runs / 10 * 10;
        List<String> names = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < 10; i++) {
                names.add(key(run * stride + i));
            }
        }
        return names;
    }

    /**
     * {@code keys} keys named TYPE:N: seven in ten strings, then hashes, lists, sets and sorted sets of a few
     * elements; {@code ttlPercent} of the strings expire in an hour.
     */
    public static void mixed(RedisServer server, int keys, int ttlPercent) {
        RedisClient client = RedisClient.create(server.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> a = c.async();
            List<RedisFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                String key = key(i);
                pending.add(switch (key.substring(0, key.indexOf(':'))) {
                    case "hash" -> a.hset(key, Map.of("f", "v" + i, "g", "w"));
                    case "list" -> a.rpush(key, "a", "b", "" + i);
                    case "set" -> a.sadd(key, "m", "" + i);
                    case "zset" -> a.zadd(key, 1.5, "m", (double) i, "n");
                    default -> i % 100 < ttlPercent ? a.set(key, "value-" + i, SetArgs.Builder.px(3_600_000))
                            : a.set(key, "value-" + i);
                });
                if (pending.size() == 10_000) {
                    c.flushCommands();
                    pending.forEach(f -> f.toCompletableFuture().join());
                    pending.clear();
                }
            }
            c.flushCommands();
            pending.forEach(f -> f.toCompletableFuture().join());
        } finally {
            client.shutdown();
        }
    }

    /**
     * {@code keys} small keys of all six types (TYPE:N), and one big key of each type but the stream, big enough to be
     * copied in chunks: {@code bigElements} elements each, and a string of {@code bigStringBytes} (streamed).
     */
    public static void sixTypes(RedisServer server, int keys, int bigElements, int bigStringBytes) {
        pipelined(server, (a, pending) -> {
            for (int i = 0; i < keys; i++) {
                pending.add(switch (i % 6) {
                    case 0 -> a.set("string:" + i, "value-" + i);
                    case 1 -> a.hset("hash:" + i, Map.of("f", "v" + i, "g", "w"));
                    case 2 -> a.rpush("list:" + i, "a", "b", "" + i);
                    case 3 -> a.sadd("set:" + i, "m", "" + i);
                    case 4 -> a.zadd("zset:" + i, 1.5, "m", (double) i, "n");
                    default -> a.xadd("stream:" + i, Map.of("f", "" + i));
                });
            }
            for (int i = 0; i < bigElements; i++) {
                pending.add(a.rpush("big:list", "e" + i));
                pending.add(a.hset("big:hash", "f" + i, "v" + i));
                pending.add(a.sadd("big:set", "m" + i));
                pending.add(a.zadd("big:zset", i, "m" + i));
            }
            String chunk = "x".repeat(1 << 16);
            for (int done = 0; done < bigStringBytes; done += chunk.length()) {
                pending.add(a.append("big:string", chunk));
            }
        });
    }

    /** Commands sent without waiting, then every reply awaited. */
    private static void pipelined(RedisServer server,
                                  java.util.function.BiConsumer<RedisAsyncCommands<String, String>, List<RedisFuture<?>>> commands) {
        RedisClient client = RedisClient.create(server.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.setAutoFlushCommands(false);
            List<RedisFuture<?>> pending = new ArrayList<>();
            commands.accept(c.async(), pending);
            c.flushCommands();
            pending.forEach(f -> f.toCompletableFuture().join());
        } finally {
            client.shutdown();
        }
    }

    /** Lists and hashes of {@link #sixTypes} the target holds already, so that Merge appends and merges into them. */
    public static void sixTypesPrefill(RedisServer target, int keys) {
        for (int i = 2; i < keys; i += 6 * 10) {
            target.redis().rpush("list:" + i, "existing");
            target.redis().hset("hash:" + (i - 1), "h", "existing");
        }
        target.redis().rpush("big:list", "existing");
    }
}
