package io.keyferry.engine.copy;

import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Queues writes to the target as one pipeline ({@link RedisLink#pipe()}) and checks every reply: a
 * write the target refused stops the copy with the key and the server's message, never silently.
 */
final class TargetWriter {
    private static final int MSET_KEYS = 64;

    private final RedisLink link;
    private final Pipe pipe;
    private final ServerProfile profile;
    private final Function<byte[], RespConnection> rawOpener;
    /** The key of every queued write, in order, to name it when the target refuses it. */
    private final List<byte[]> keys = new ArrayList<>();
    /** The MSET being gathered: its name, then keys and values. */
    private final List<byte[]> mset = new ArrayList<>(List.of(Cmd.MSET));
    /** Where a queued write is an MSET: how many keys it writes (its first one is in {@link #keys}). */
    private final java.util.Map<Integer, Integer> msetKeys = new java.util.HashMap<>();
    /** Whether the target took a MULTI of this writer's: the first transaction asks before it queues any write. */
    private boolean multiAllowed;

    TargetWriter(RedisLink link, ServerProfile profile, Function<byte[], RespConnection> rawOpener) {
        this.link = link;
        this.pipe = link.pipe();
        this.profile = profile;
        this.rawOpener = rawOpener;
    }

    /**
     * One big value streamed into one SET, after the queued writes landed: on this writer's own connection to a
     * standalone target, on a connection of its own to the node of the key's slot in a cluster. A value that ends
     * early leaves the connection closed (its SET half sent), and the copy stops.
     */
    void setStreamed(byte[] key, long length, RespConnection.Chunks chunks) {
        sync();
        if (pipe instanceof RespConnection own) {
            own.setStreamed(key, length, chunks);
            return;
        }
        try (RespConnection raw = rawOpener.apply(key)) {
            raw.setStreamed(key, length, chunks);
        }
    }

    ServerProfile profile() { return profile; }

    String label() { return pipe.label(); }

    /** The target's Lettuce link, for what the pipe does not carry; the writes queued so far land first. */
    RedisLink link() {
        sync();
        return link;
    }

    /** Queues a write of {@code key}. */
    void send(byte[] key, byte[]... args) {
        pipe.send(args);
        keys.add(key);
    }

    /** Removes a key without blocking the server on a big one, where UNLINK exists. */
    void delete(byte[] key) {
        send(key, profile.commands().unlink() ? Cmd.UNLINK : Cmd.DEL, key);
    }

    /** @param fields fields and values, alternating */
    void hset(byte[] key, List<Object> fields) {
        if (fields.isEmpty()) {
            return;
        }
        // Pika's HSET takes one field; HMSET takes many everywhere.
        send(key, Resp.command(profile.commands().multiFieldHset() ? Cmd.HSET : Cmd.HMSET, key, fields));
    }

    /** Sets the expiry a decision ends with; an expiry already past removes the key. */
    void applyTtl(Decision d, long now) {
        long expireAt = d.resultExpireAt();
        byte[] key = d.targetKey();
        if (expireAt < 0) {
            if (d.targetExpireAt() >= 0 && d.action() != Action.COPY && d.action() != Action.REPLACE) {
                send(key, Cmd.PERSIST, key);
            }
            return;
        }
        long remaining = expireAt - now;
        if (remaining <= 0) {
            delete(key);
        } else {
            send(key, profile.ttlSeconds() ? Cmd.EXPIRE : Cmd.PEXPIRE, key, ttl(remaining));
        }
    }

    /**
     * A whole string (COPY or REPLACE) with the expiry its decision ends with, in one SET, so that it never lives
     * without it; an expiry already past removes the key instead. Strings without an expiry go to a store that
     * is not a cluster as one MSET of up to {@value #MSET_KEYS} keys (a cluster's MSET takes keys of one slot):
     * the server saves the dispatch of every other command, and a store that writes through a log (Kvrocks)
     * writes them as one batch.
     */
    void set(Decision d, byte[] value, long now) {
        byte[] key = d.targetKey();
        long expireAt = d.resultExpireAt();
        if (expireAt < 0 && !profile.cluster()) {
            mset.add(key);
            mset.add(value);
            if (mset.size() == 1 + 2 * MSET_KEYS) {
                sendMset();
            }
        } else if (expireAt < 0) {
            send(key, Cmd.SET, key, value);
        } else if (expireAt <= now) {
            delete(key);
        } else {
            send(key, Cmd.SET, key, value, profile.ttlSeconds() ? Cmd.EX : Cmd.PX, ttl(expireAt - now));
        }
    }

    /** A relative expiry in the target's unit, rounded up to seconds where it keeps seconds (Pika): never earlier. */
    private byte[] ttl(long remainingMs) {
        return Resp.num(profile.ttlSeconds() ? (remainingMs + 999) / 1000 : remainingMs);
    }

    private void sendMset() {
        if (mset.size() > 1) {
            int first = keys.size();
            send(mset.get(1), mset.toArray(new byte[0][]));
            msetKeys.put(first, (mset.size() - 1) / 2);
            mset.subList(1, mset.size()).clear();
        }
    }

    /** Sends what is queued without waiting for the replies. */
    void flush() {
        sendMset();
        pipe.flush();
    }

    /** Sends what is queued and waits; a refused write throws with its key and the server's reply. */
    void sync() {
        sendMset();
        if (keys.isEmpty()) {
            return;
        }
        try {
            pipe.awaitReplies(); // the writing thread has nothing else to do meanwhile
            check(pipe.sync(), keys, msetKeys);
        } finally {
            keys.clear();
            msetKeys.clear();
        }
    }

    private void check(List<Object> replies, List<byte[]> of, java.util.Map<Integer, Integer> msets) {
        if (replies.size() != of.size()) { // another reader synced the pipe between: the replies are not these
            throw new IllegalStateException(pipe.label() + ": " + replies.size() + " replies for " + of.size() + " writes");
        }
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof Resp.Error e) {
                Integer several = msets.get(i);
                throw new CopyFailedException(pipe.label() + " refused a write to key " + Keys.show(of.get(i))
                        + (several == null ? "" : " (an MSET of " + several + " keys from it on)") + ": " + e.message());
            }
            if (replies.get(i) instanceof List<?> odd) { // a write answers a status, a count or an ID, never a list
                throw new CopyFailedException(pipe.label() + " answered a write to key " + Keys.show(of.get(i)) + " with "
                        + Resp.describe(odd) + ", which no write command gives; the key is not counted as copied");
            }
        }
    }

    /**
     * Whether this target can guard a write with WATCH and MULTI/EXEC on this writer's connection: a store with
     * transactions, not a cluster (its keys' nodes each have their own connection).
     */
    boolean guards() {
        return profile.commands().transactions() && !profile.cluster();
    }

    /** WATCHes {@code keys} on this writer's connection, until the next {@link #transaction}. */
    void watch(List<byte[]> keys) {
        sync();
        Object reply = Resp.call(pipe, Resp.command(Cmd.WATCH, keys.get(0), keys.subList(1, keys.size())));
        if (!Resp.ok(reply)) {
            throw new CopyFailedException(pipe.label() + " refused WATCH of key " + Keys.show(keys.get(0))
                    + (keys.size() > 1 ? " and " + (keys.size() - 1) + " more" : "") + ": " + reply);
        }
    }

    /**
     * Sends the writes {@code queue} makes as one MULTI/EXEC after the caller's {@link #watch}: false, and nothing
     * written, where a watched key changed meanwhile (the application wrote it).
     */
    boolean transaction(Runnable queue) {
        sync();
        int first = 0; // the reply of the first write queued
        if (!multiAllowed) { // a refused MULTI would leave the writes queued after it to run at once, unguarded
            Object multi = Resp.call(pipe, Cmd.MULTI);
            if (multi instanceof Resp.Error e) {
                throw new CopyFailedException(pipe.label() + " refused MULTI, which guards the writes while the application"
                        + " writes both stores: " + e.message() + "; nothing of the batch was written");
            }
            multiAllowed = true;
        } else {
            first = pipe.send(Cmd.MULTI) + 1;
        }
        queue.run();
        sendMset();
        int exec = pipe.send(Cmd.EXEC);
        List<byte[]> of = new ArrayList<>(keys);
        java.util.Map<Integer, Integer> several = new java.util.HashMap<>(msetKeys);
        keys.clear();
        msetKeys.clear();
        List<Object> replies = pipe.sync();
        Object result = replies.get(exec);
        if (result == null) {
            return false;
        }
        if (result instanceof Resp.Error) { // EXECABORT: a write was refused as it was queued
            check(replies.subList(first, exec), of, several);
        }
        check(Resp.array(result, pipe.label(), null), of, several);
        return true;
    }

    /** Reads from the target after the queued writes landed: one command of {@code key}; an error throws. */
    Object call(byte[] key, byte[]... args) {
        return readAll(key, java.util.Collections.singletonList(args)).get(0);
    }

    /** Several reads of {@code key} in one round trip, after the queued writes landed; an error throws. */
    List<Object> readAll(byte[] key, List<byte[][]> commands) {
        sync();
        for (byte[][] c : commands) {
            pipe.send(c);
        }
        List<Object> replies = pipe.sync();
        for (Object r : replies) {
            if (r instanceof Resp.Error e) {
                throw new CopyFailedException(pipe.label() + " failed a read of key " + Keys.show(key) + ": " + e.message());
            }
        }
        return replies;
    }
}
