package io.keyferry.engine.undo;

import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Puts the target back as the journal says it was, key by key: a key the migration created is deleted, a key it
 * changed gets its prior value and expiry back (RESTORE ... REPLACE of its DUMP, or its type-native chunks after a
 * DEL). The writes of a segment go as one pipeline; after each, the segments done are saved ({@link
 * SegmentStore#saveProgress}), so a stopped undo resumes after the last segment it finished. Every write is
 * idempotent or checked (a list's later chunk is appended only where the list is as long as its offset), so a
 * segment applied twice leaves the same state. A prior expiry already past deletes the key, as time would have.
 */
public final class Undo {
    private static final byte[] SETRANGE = Resp.ascii("SETRANGE");

    private final SegmentStore store;
    private final Pipe target;
    private final ServerProfile profile;
    private long restored;
    private long deleted;
    private long expired;

    public Undo(SegmentStore store, Pipe target, ServerProfile profile) {
        this.store = store;
        this.target = target;
        this.profile = profile;
    }

    /**
     * Restores every key from where an earlier undo stopped.
     *
     * @param progress called with the segments done after each one
     * @return the counts of this run (a resumed run counts only its own part)
     */
    public UndoResult restore(LongConsumer progress) {
        long started = System.currentTimeMillis();
        int from = store.progress().map(p -> Integer.parseInt(p.trim())).orElse(0);
        long[] segments = {from};
        new JournalReplay().walk(store, from, (index, records) -> {
            for (PriorState s : records) {
                apply(s);
            }
            check(target.sync());
            store.saveProgress(Integer.toString(index + 1));
            segments[0] = index + 1;
            progress.accept(index + 1);
        });
        return new UndoResult(restored, deleted, expired, segments[0], 0, 0, List.of(), System.currentTimeMillis() - started);
    }

    private void apply(PriorState s) {
        byte[] key = s.key();
        long now = System.currentTimeMillis();
        boolean gone = s.expireAt() >= 0 && s.expireAt() <= now;
        switch (s.kind()) {
            case ABSENT -> {
                target.send(Cmd.DEL, key);
                deleted++;
            }
            case DUMP -> {
                if (gone) {
                    target.send(Cmd.DEL, key);
                    expired++;
                } else {
                    target.send(Cmd.RESTORE, key, Resp.num(s.expireAt() < 0 ? 0 : s.expireAt() - now), s.items().get(0), Cmd.REPLACE);
                    restored++;
                }
            }
            case CHUNK -> chunk(s, now, gone);
        }
    }

    private void chunk(PriorState s, long now, boolean gone) {
        byte[] key = s.key();
        if (s.first()) {
            target.send(Cmd.DEL, key);
        }
        if (gone) {
            if (s.last()) {
                expired++;
            }
            return;
        }
        List<byte[]> items = s.items();
        if (!items.isEmpty()) {
            switch (s.type()) {
                case STRING -> target.send(SETRANGE, key, Resp.num(s.offset()), items.get(0));
                case HASH -> send(profile.commands().multiFieldHset() ? Cmd.HSET : Cmd.HMSET, key, items);
                case SET -> send(Cmd.SADD, key, items);
                case ZSET -> send(Cmd.ZADD, key, scoresFirst(items));
                case LIST -> list(s);
                case STREAM -> stream(key, items);
            }
        }
        if (s.last()) {
            if (s.expireAt() >= 0) {
                long ms = s.expireAt() - now;
                target.send(profile.ttlSeconds() ? Cmd.EXPIRE : Cmd.PEXPIRE, key,
                        Resp.num(profile.ttlSeconds() ? (ms + 999) / 1000 : ms));
            }
            restored++;
        }
    }

    private void send(byte[] command, byte[] key, List<byte[]> items) {
        byte[][] args = new byte[2 + items.size()][];
        args[0] = command;
        args[1] = key;
        for (int i = 0; i < items.size(); i++) {
            args[2 + i] = items.get(i);
        }
        target.send(args);
    }

    /** A sorted set's chunk holds members and scores; ZADD takes scores first. */
    private static List<byte[]> scoresFirst(List<byte[]> items) {
        List<byte[]> swapped = new ArrayList<>(items.size());
        for (int i = 0; i + 1 < items.size(); i += 2) {
            swapped.add(items.get(i + 1));
            swapped.add(items.get(i));
        }
        return swapped;
    }

    /** A list's chunk is appended where the list is as long as its offset (not yet, after a repeated segment). */
    private void list(PriorState s) {
        if (!s.first()) {
            check(target.sync());
            long len = Resp.integer(Resp.call(target, Cmd.LLEN, s.key()), target.label(), s.key());
            if (len >= s.offset() + s.items().size()) {
                return;
            }
            if (len != s.offset()) {
                throw new CopyFailedException("undo: list " + Keys.show(s.key()) + " in " + target.label() + " has " + len
                        + " elements where its restored chunk starts at " + s.offset() + "; something else wrote it during"
                        + " the undo");
            }
        }
        send(Cmd.RPUSH, s.key(), s.items());
    }

    private void stream(byte[] key, List<byte[]> items) {
        for (int i = 0; i < items.size(); ) {
            byte[] id = items.get(i);
            int n = Integer.parseInt(new String(items.get(i + 1), java.nio.charset.StandardCharsets.US_ASCII));
            List<byte[]> args = new ArrayList<>(List.of(id));
            args.addAll(items.subList(i + 2, i + 2 + n));
            send(Cmd.XADD, key, args);
            i += 2 + n;
        }
    }

    private void check(List<Object> replies) {
        for (Object r : replies) {
            if (r instanceof Resp.Error e && !e.message().contains("equal or smaller")) { // a stream entry put back already
                throw new CopyFailedException("undo: " + target.label() + " refused a write: " + e.message()
                        + "; the progress is kept, run the same command again");
            }
        }
    }
}
