package io.keyferry.engine.copy;

import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RawConnection;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Queues writes to the target as one pipeline and checks every reply: a write the target refused
 * stops the copy with the key and the server's message, never silently.
 */
final class TargetWriter {
    private record Pending(RedisFuture<?> future, byte[] key) {}

    private final RedisLink link;
    private final ServerProfile profile;
    private final Function<byte[], RawConnection> rawOpener;
    private final List<Pending> pending = new ArrayList<>();

    TargetWriter(RedisLink link, ServerProfile profile, Function<byte[], RawConnection> rawOpener) {
        this.link = link;
        this.profile = profile;
        this.rawOpener = rawOpener;
    }

    /** A bare connection to the target (the node of the key's slot, in a cluster) for one big value; the caller closes it. */
    RawConnection openRaw(byte[] key) {
        return rawOpener.apply(key);
    }

    RedisClusterAsyncCommands<byte[], byte[]> cmd() { return link.async(); }

    ServerProfile profile() { return profile; }

    RedisLink link() { return link; }

    void add(RedisFuture<?> future, byte[] key) {
        pending.add(new Pending(future, key));
    }

    /** Removes a key without blocking the server on a big one, where UNLINK exists. */
    void delete(byte[] key) {
        add(profile.unlink() ? cmd().unlink(key) : cmd().del(key), key);
    }

    void hset(byte[] key, Map<byte[], byte[]> fields) {
        if (fields.isEmpty()) {
            return;
        }
        // Pika's HSET takes one field; HMSET takes many everywhere.
        add(profile.multiFieldHset() ? cmd().hset(key, fields) : cmd().hmset(key, fields), key);
    }

    /** Sets the expiry a decision ends with; an expiry already past removes the key. */
    void applyTtl(Decision d, long now) {
        long expireAt = d.resultExpireAt();
        byte[] key = d.targetKey();
        if (expireAt < 0) {
            if (d.targetExpireAt() >= 0 && d.action() != Action.COPY && d.action() != Action.REPLACE) {
                add(cmd().persist(key), key);
            }
            return;
        }
        long remaining = expireAt - now;
        if (remaining <= 0) {
            delete(key);
        } else if (profile.ttlSeconds()) {
            // Round up: a key must not expire earlier than on the source (DESIGN.md 3.2).
            add(cmd().expire(key, (remaining + 999) / 1000), key);
        } else {
            add(cmd().pexpire(key, remaining), key);
        }
    }

    /** Sends what is queued and waits; a refused write throws with its key and the server's reply. */
    void sync() {
        if (pending.isEmpty()) {
            return;
        }
        List<RedisFuture<?>> futures = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            futures.add(p.future());
        }
        link.sync(futures);
        for (Pending p : pending) {
            Throwable error = failure(p.future());
            if (error != null) {
                pending.clear();
                throw new CopyFailedException(link.label() + " refused a write to key " + Keys.show(p.key()) + ": "
                        + error.getMessage(), error);
            }
        }
        pending.clear();
    }

    private static Throwable failure(RedisFuture<?> f) {
        if (!f.isDone()) {
            return new IllegalStateException("no reply");
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }
}
