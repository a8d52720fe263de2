package io.keyferry.engine.undo;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks the target against the journal's prior states after an undo: a key absent before is absent; a key recorded
 * by DUMP dumps the same payload; a key recorded in chunks has each chunk's elements (a string's bytes and a list's
 * elements at their offsets, a hash's fields with their values, a set's members, a sorted set's members with their
 * scores, a stream's entries) and as many elements in all. The expiry may only have come nearer by the time passed:
 * none where there was none, and never later than before (than the second it was rounded up to, on a store that keeps
 * whole seconds). Bounded in memory like the journal: a chunk at a time.
 */
public final class UndoCheck {
    /** How far an expiry may be from the prior one after the undo (clock reads and a round trip). */
    private static final long TTL_SLACK_MS = 1000;
    private static final byte[] HGET = Resp.ascii("HGET");

    private final SegmentStore store;
    private final Pipe target;
    /** How much later the undo may have set an expiry: a store that keeps whole seconds got it rounded up. */
    private final long roundedUpMs;
    private long checked;
    private final List<String> mismatches = new ArrayList<>();
    private long mismatched;
    /** Elements seen so far in the key being checked chunk by chunk. */
    private long elements;

    /** @param secondsTtl the target keeps expiries in whole seconds (Pika): the undo rounded them up to one */
    public UndoCheck(SegmentStore store, Pipe target, boolean secondsTtl) {
        this.store = store;
        this.target = target;
        this.roundedUpMs = secondsTtl ? 1000 : 0;
    }

    /** Checks every key; the result's counts of keys checked and mismatched. */
    public UndoResult check() {
        long started = System.currentTimeMillis();
        new JournalReplay().walk(store, 0, (index, records) -> {
            checkWhole(records.stream().filter(r -> r.kind() != PriorState.Kind.CHUNK).toList());
            records.stream().filter(r -> r.kind() == PriorState.Kind.CHUNK).forEach(this::check);
        });
        return new UndoResult(0, 0, 0, 0, checked, mismatched, List.copyOf(mismatches), System.currentTimeMillis() - started);
    }

    private void check(PriorState s) {
        byte[] key = s.key();
        if (s.first()) {
            elements = 0;
        }
        long now = System.currentTimeMillis();
        boolean gone = s.expireAt() >= 0 && s.expireAt() <= now - TTL_SLACK_MS;
        boolean maybeGone = s.expireAt() >= 0 && s.expireAt() <= now + TTL_SLACK_MS;
        if (gone) {
            if (s.last()) {
                checked++;
                if (exists(key) && !maybeGone) {
                    differs(key, "exists, but its prior expiry has passed");
                }
            }
            return;
        }
        if (!chunkMatches(s)) {
            if (s.last()) {
                checked++;
            }
            return;
        }
        if (s.last()) {
            checked++;
            long size = Resp.integer(Resp.call(target, sizeCommand(s), key), target.label(), key);
            long expected = s.type() == io.keyferry.api.DataType.STRING ? s.offset() + s.items().get(0).length : elements;
            if (size != expected && !maybeGone) {
                differs(key, "holds " + size + " where it held " + expected + (s.type() == io.keyferry.api.DataType.STRING
                        ? " bytes" : " elements"));
                return;
            }
            ttl(s);
        }
    }

    /**
     * Checks the ABSENT and DUMP records of a segment in two pipelines: EXISTS, DUMP and PTTL of every key, then the
     * payloads restored aside ({@link #sendAside}) of the keys whose DUMP is not the journal's byte for byte.
     */
    private void checkWhole(List<PriorState> records) {
        long now = System.currentTimeMillis();
        for (PriorState s : records) {
            target.send(Cmd.EXISTS, s.key());
            target.send(Cmd.DUMP, s.key());
            target.send(Cmd.PTTL, s.key());
        }
        List<Object> replies = records.isEmpty() ? List.of() : target.sync();
        List<Integer> aside = new ArrayList<>();
        List<Integer> asideAt = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            PriorState s = records.get(i);
            checked++;
            boolean gone = s.expireAt() >= 0 && s.expireAt() <= now - TTL_SLACK_MS;
            boolean maybeGone = s.expireAt() >= 0 && s.expireAt() <= now + TTL_SLACK_MS;
            if (s.kind() == PriorState.Kind.ABSENT || gone) {
                if (replies.get(3 * i) instanceof Long n && n > 0 && !maybeGone) {
                    differs(s.key(), s.kind() == PriorState.Kind.ABSENT ? "exists, but the migration created it"
                            : "exists, but its prior expiry has passed");
                }
            } else if (!(replies.get(3 * i + 1) instanceof byte[] current)) {
                differs(s.key(), "missing");
            } else if (Arrays.equals(current, s.items().get(0))) {
                ttl(s, replies.get(3 * i + 2), now);
            } else {
                int at = sendAside(s.key(), s.items().get(0));
                if (at < 0) {
                    differs(s.key(), "its value differs from the journal's");
                } else {
                    aside.add(i);
                    asideAt.add(at);
                }
            }
        }
        List<Object> dumps = aside.isEmpty() ? List.of() : target.sync();
        for (int j = 0; j < aside.size(); j++) {
            int i = aside.get(j);
            if (Arrays.equals((byte[]) replies.get(3 * i + 1), dumps.get(asideAt.get(j)) instanceof byte[] b ? b : null)) {
                ttl(records.get(i), replies.get(3 * i + 2), now);
            } else {
                differs(records.get(i).key(), "its value differs from the journal's");
            }
        }
    }

    /**
     * Queues the DUMP of the journal's payload restored as the undo restored it: a value equal to its prior one dumps
     * the same as this, though not always as the prior DUMP (a set's or a hash's table order is the restore's). The
     * payload is restored under a key of its own in the key's slot, dumped and removed; returns where the DUMP's reply
     * stands, or -1 where no key of our own surely shares the slot.
     */
    private int sendAside(byte[] key, byte[] payload) {
        String k = new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
        int open = k.indexOf('{');
        int close = open < 0 ? -1 : k.indexOf('}', open + 1);
        String tag = close > open + 1 ? k.substring(open + 1, close) : k;
        if (tag.indexOf('{') >= 0 || tag.indexOf('}') >= 0) {
            return -1; // no name of our own shares its slot for sure: the DUMPs alone decide
        }
        byte[] aside = (TargetSegmentStore.KEY_PREFIX + "check:{" + tag + "}").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        target.send(Cmd.RESTORE, aside, Cmd.ZERO, payload, Cmd.REPLACE);
        int at = target.send(Cmd.DUMP, aside);
        target.send(Cmd.DEL, aside);
        return at;
    }

    private boolean exists(byte[] key) {
        return Resp.integer(Resp.call(target, Cmd.EXISTS, key), target.label(), key) > 0;
    }

    private void ttl(PriorState s) {
        ttl(s, Resp.call(target, Cmd.PTTL, s.key()), System.currentTimeMillis());
    }

    /** @param reply the key's PTTL reply, asked after {@code now} */
    private void ttl(PriorState s, Object reply, long now) {
        long pttl = Resp.integer(reply, target.label(), s.key());
        if (s.expireAt() < 0 ? pttl != -1 : pttl < 0 || now + pttl > s.expireAt() + roundedUpMs + TTL_SLACK_MS) {
            differs(s.key(), "its expiry is " + (pttl < 0 ? "none" : pttl + " ms away") + " where it was "
                    + (s.expireAt() < 0 ? "none" : (s.expireAt() - now) + " ms away"));
        }
    }

    /** Whether the target has the elements of one chunk; counts them. */
    private boolean chunkMatches(PriorState s) {
        byte[] key = s.key();
        List<byte[]> items = s.items();
        List<Object> found = new ArrayList<>();
        switch (s.type()) {
            case STRING -> found.add(Resp.call(target, Cmd.GETRANGE, key, Resp.num(s.offset()),
                    Resp.num(s.offset() + Math.max(1, items.get(0).length) - 1)));
            case LIST -> found.addAll(Resp.array(Resp.call(target, Cmd.LRANGE, key, Resp.num(s.offset()),
                    Resp.num(s.offset() + items.size() - 1)), target.label(), key));
            case HASH, ZSET -> {
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    target.send(s.type() == io.keyferry.api.DataType.HASH ? HGET : Cmd.ZSCORE, key, items.get(i));
                }
                found.addAll(target.sync());
            }
            case SET -> {
                items.forEach(m -> target.send(Cmd.SISMEMBER, key, m));
                found.addAll(target.sync());
            }
            case STREAM -> {
                for (int i = 0; i < items.size(); ) {
                    int n = Integer.parseInt(new String(items.get(i + 1), java.nio.charset.StandardCharsets.US_ASCII));
                    target.send(Cmd.XRANGE, key, items.get(i), items.get(i));
                    i += 2 + n;
                }
                found.addAll(target.sync());
            }
        }
        String problem = compare(s, found);
        elements += s.type() == io.keyferry.api.DataType.HASH || s.type() == io.keyferry.api.DataType.ZSET
                ? items.size() / 2 : s.type() == io.keyferry.api.DataType.STREAM ? found.size() : items.size();
        if (problem != null) {
            differs(key, problem);
            return false;
        }
        return true;
    }

    private static String compare(PriorState s, List<Object> found) {
        List<byte[]> items = s.items();
        switch (s.type()) {
            case STRING -> {
                byte[] got = found.get(0) instanceof byte[] b ? b : new byte[0];
                return Arrays.equals(got, items.get(0)) ? null : "its bytes from " + s.offset() + " differ";
            }
            case LIST -> {
                for (int i = 0; i < items.size(); i++) {
                    if (i >= found.size() || !(found.get(i) instanceof byte[] b) || !Arrays.equals(b, items.get(i))) {
                        return "its element " + (s.offset() + i) + " differs";
                    }
                }
                return null;
            }
            case HASH, ZSET -> {
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    Object got = found.get(i / 2);
                    boolean same = s.type() == io.keyferry.api.DataType.HASH
                            ? got instanceof byte[] value && Arrays.equals(value, items.get(i + 1))
                            : got instanceof byte[] score && Resp.score(score) == Resp.score(items.get(i + 1));
                    if (!same) {
                        return (s.type() == io.keyferry.api.DataType.HASH ? "field " : "member ") + Keys.show(items.get(i)) + " differs";
                    }
                }
                return null;
            }
            case SET -> {
                for (int i = 0; i < found.size(); i++) {
                    if (!(found.get(i) instanceof Long n) || n != 1) {
                        return "member " + Keys.show(items.get(i)) + " is missing";
                    }
                }
                return null;
            }
            default -> {
                for (Object entry : found) {
                    if (!(entry instanceof List<?> l) || l.size() != 1) {
                        return "a stream entry is missing";
                    }
                }
                return null;
            }
        }
    }

    private static byte[] sizeCommand(PriorState s) {
        return switch (s.type()) {
            case STRING -> Cmd.STRLEN;
            case HASH -> Cmd.HLEN;
            case LIST -> Cmd.LLEN;
            case SET -> Cmd.SCARD;
            case ZSET -> Cmd.ZCARD;
            case STREAM -> Cmd.XLEN;
        };
    }

    private void differs(byte[] key, String why) {
        mismatched++;
        if (mismatches.size() < 100) {
            mismatches.add(Keys.show(key) + ": " + why);
        }
    }
}
