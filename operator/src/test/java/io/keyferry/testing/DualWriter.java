package io.keyferry.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An application that keeps serving while it moves: a thread that writes a hot set of keys of five types (SET, HSET,
 * SADD, ZADD, RPUSH, and DEL one time in ten) at a steady rate, as the routing flag says (`R W R W`: it writes the old store when
 * the flag's second character is 1, the new one when the fourth is), the old store first, then the new one, not
 * atomically, as docs/operations.md asks of an application. Seeded, so a failure can be replayed.
 */
public final class DualWriter implements AutoCloseable {
    private final StatefulRedisConnection<String, String> oldStore;
    private final StatefulRedisConnection<String, String> newStore;
    private final RedisClient oldClient;
    private final RedisClient newClient;
    private final Supplier<String> flag;
    private final List<String> hotKeys;
    private final int perSecond;
    private final Random random;
    private final Thread thread;
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean idle;
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    /**
     * @param flag the routing flag as the application reads it (null: "1101")
     * @param hotKeys the keys it writes, each named TYPE:... (str, hash, set, zset, list) for the writes it gets
     */
    public DualWriter(RedisServer oldServer, RedisServer newServer, Supplier<String> flag, List<String> hotKeys,
                      int perSecond, long seed) {
        this.oldClient = RedisClient.create(oldServer.uri());
        this.newClient = RedisClient.create(newServer.uri());
        this.oldStore = oldClient.connect();
        this.newStore = newClient.connect();
        this.flag = flag;
        this.hotKeys = hotKeys;
        this.perSecond = perSecond;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "dual-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes so far (one write is one command to each store the flag names). */
    public long writes() {
        return writes.get();
    }

    /** Stops writing after the write in progress, and returns once it has landed in both stores. */
    public void pause() {
        paused = true;
        while (!idle && failure == null && thread.isAlive()) {
            Thread.onSpinWait();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void run() {
        long started = System.nanoTime();
        long done = 0;
        try {
            while (!stopped) {
                if (paused) {
                    idle = true;
                    Thread.sleep(5);
                    continue;
                }
                long due = started + done * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                writeOnce();
                done++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void writeOnce() {
        String f = flag == null ? "1101" : flag.get();
        if (f == null || f.length() != 4) {
            return; // no flag yet: the application waits for its configuration
        }
        String key = hotKeys.get(random.nextInt(hotKeys.size()));
        int op = random.nextInt(10);
        String value = "v" + random.nextInt(1_000_000);
        if (f.charAt(1) == '1') {
            apply(oldStore.sync(), key, op, value);
        }
        if (f.charAt(3) == '1') {
            apply(newStore.sync(), key, op, value);
        }
        writes.incrementAndGet();
    }

    /** One write: DEL one time in ten, otherwise the key's own type's write. */
    private static void apply(RedisCommands<String, String> r, String key, int op, String value) {
        if (op == 0) {
            r.del(key);
            return;
        }
        switch (key.substring(0, key.indexOf(':'))) {
            case "str" -> r.set(key, value);
            case "hash" -> r.hset(key, "f" + (op % 4), value);
            case "set" -> r.sadd(key, value.substring(0, 3));
            case "zset" -> r.zadd(key, op, value.substring(0, 3));
            default -> r.rpush(key, value);
        }
    }

    /**
     * The differences between two stores, key by key: type, value and whether a TTL is set (KeyFerry's own keys
     * left out); empty where they are equal.
     */
    public static Map<String, String> differences(RedisServer a, RedisServer b) {
        Map<String, String> left = withTtlPresence(a.redis());
        Map<String, String> right = withTtlPresence(b.redis());
        Map<String, String> diff = new TreeMap<>();
        left.forEach((k, v) -> {
            if (!v.equals(right.get(k))) {
                diff.put(k, v + " | " + right.get(k));
            }
        });
        right.forEach((k, v) -> {
            if (!left.containsKey(k)) {
                diff.put(k, "absent | " + v);
            }
        });
        return diff;
    }

    private static Map<String, String> withTtlPresence(RedisCommands<String, String> r) {
        Map<String, String> m = new TreeMap<>();
        for (String k : r.keys("*")) {
            if (!k.startsWith("keyferry:")) {
                m.put(k, Values.of(r, k) + (r.pttl(k) >= 0 ? " ttl" : " no-ttl"));
            }
        }
        return m;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        oldStore.close();
        newStore.close();
        oldClient.shutdown();
        newClient.shutdown();
    }
}
