package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.BatchCopier.Prepared;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reads of a batch's small keys, whole, in one pipeline: as many values as the batch has room for
 * ({@link BatchMemory}), the keys past it left for a later round ({@link Prepared#deferred}), and the
 * strings whose bounded read cannot tell big from small, or empty from gone, settled in one more round trip.
 */
final class WholeReads {
    private final BatchDecider decider;
    /** The copiers of this pair of stores (streams with or without their groups). */
    private final Map<DataType, TypeCopier> copiers;
    /** The source as the user named it, for errors. */
    private final String label;
    /** The bytes of values a batch holds at most ({@link BatchMemory}). */
    private long maxBatchBytes = BatchMemory.BATCH_BYTES;
    /** The size of the values read lately, shared by the reading and the writing thread: a guide, not a count. */
    private final BatchMemory.Sizes valueBytes = new BatchMemory.Sizes();

    WholeReads(BatchDecider decider, Map<DataType, TypeCopier> copiers, String label) {
        this.decider = decider;
        this.copiers = copiers;
        this.label = label;
    }

    void holdingAtMost(long bytes) {
        this.maxBatchBytes = bytes;
    }

    /**
     * Reads the values of {@code batch.whole()} not read yet (null), in one pipeline over {@code src}, keeping as many
     * as the batch has room for ({@link BatchMemory}); the keys past it go to {@code deferred}.
     */
    Prepared read(Prepared batch, Pipe src) {
        List<Decision> whole = batch.whole();
        int[] replyAt = new int[whole.size()];
        long room = maxBatchBytes - batch.bytes();
        BatchMemory memory = new BatchMemory(room);
        long most = valueBytes.most(room); // reads sent: no more than the values seen lately leave room for
        src.filtering(memory);
        int sent = 0;
        for (int i = 0; i < whole.size(); i++) {
            Decision d = whole.get(i);
            boolean read = batch.values().get(i) == null;
            replyAt[i] = !read ? -1 : sent++ >= most ? -2 : d.dump() ? src.send(Cmd.DUMP, d.sourceKey())
                    : copiers.get(d.type()).readWhole(src, d.sourceKey());
        }
        src.awaitReplies();
        List<Object> replies = src.sync(); // also where nothing was sent: it clears the filter
        List<Decision> kept = new ArrayList<>(whole.size());
        List<Object> values = new ArrayList<>(whole.size());
        List<Decision> deferred = new ArrayList<>(batch.deferred());
        Map<Decision, Decision> inChunks = new java.util.IdentityHashMap<>();
        for (int i = 0; i < whole.size(); i++) {
            Decision d = whole.get(i);
            Object reply = replyAt[i] < 0 ? null : d.dump() ? replies.get(replyAt[i]) : wholeReply(d, replies, replyAt[i]);
            if (reply == BatchMemory.NO_ROOM && memory.tooBig(replyAt[i])) {
                kept.add(whole.get(i)); // more than a whole batch's room: moved to the chunked copy below
                values.add(null);
                inChunks.put(whole.get(i), decider.inChunks(whole.get(i)));
            } else if (replyAt[i] == -2 || reply == BatchMemory.NO_ROOM) {
                deferred.add(whole.get(i));
            } else {
                kept.add(whole.get(i));
                values.add(replyAt[i] < 0 ? batch.values().get(i) : readValue(reply, whole.get(i), label));
            }
        }
        valueBytes.saw(memory);
        Prepared read = chunking(new Prepared(batch.decisions(), kept, values, deferred, batch.chunked(), batch.replay()),
                inChunks);
        return boundedStrings(read, src);
    }

    /**
     * Settles the strings read whole, with a bounded GETRANGE ({@link StringCopier#readWhole}), in one more
     * round trip where any needs it: a reply
     * that overflowed the bound is a big string, sized with STRLEN and moved to the chunked copy (its decision
     * changed before the batch is journaled); an empty reply is an empty string only if the key still exists
     * (GETRANGE answers "" for a missing key too).
     */
    private Prepared boundedStrings(Prepared batch, Pipe src) {
        List<Integer> big = new ArrayList<>();
        List<Integer> empty = new ArrayList<>();
        Map<Integer, Integer> replyAt = new java.util.HashMap<>(); // a string's place in the batch to its reply's
        for (int i = 0; i < batch.whole().size(); i++) {
            Decision d = batch.whole().get(i);
            if (d.type() == DataType.STRING && !d.dump() && batch.values().get(i) instanceof byte[] v) {
                if (v.length > BatchCopier.SMALL_STRING_BYTES) {
                    big.add(i);
                    replyAt.put(i, src.send(Cmd.STRLEN, d.sourceKey()));
                } else if (v.length == 0) {
                    empty.add(i);
                    replyAt.put(i, src.send(Cmd.EXISTS, d.sourceKey()));
                }
            }
        }
        if (replyAt.isEmpty()) {
            return batch;
        }
        List<Object> replies = src.sync();
        List<Object> values = new ArrayList<>(batch.values());
        for (int i : empty) {
            Decision d = batch.whole().get(i);
            if (Resp.integer(replies.get(replyAt.get(i)), src.label(), d.sourceKey()) == 0) {
                values.set(i, null); // gone between TYPE and the read
            }
        }
        Map<Decision, Decision> resized = new java.util.IdentityHashMap<>();
        for (int i : big) {
            Decision d = batch.whole().get(i);
            resized.put(d, decider.sized(d, Resp.integer(replies.get(replyAt.get(i)), src.label(), d.sourceKey()), 0));
        }
        return chunking(new Prepared(batch.decisions(), batch.whole(), values, batch.deferred(), batch.chunked(),
                batch.replay()), resized);
    }

    /**
     * The batch with the keys of {@code moved} (read whole so far) copied in chunks under their new decisions, which
     * also stand in the batch's decisions, so the batch is journaled with them.
     */
    private static Prepared chunking(Prepared batch, Map<Decision, Decision> moved) {
        if (moved.isEmpty()) {
            return batch;
        }
        List<Decision> whole = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<Decision> chunked = new ArrayList<>(batch.chunked());
        for (int i = 0; i < batch.whole().size(); i++) {
            Decision d = batch.whole().get(i);
            if (moved.containsKey(d)) {
                chunked.add(moved.get(d));
            } else {
                whole.add(d);
                values.add(batch.values().get(i));
            }
        }
        List<Decision> decisions = new ArrayList<>(batch.decisions().size());
        batch.decisions().forEach(d -> decisions.add(moved.getOrDefault(d, d)));
        return new Prepared(decisions, whole, values, batch.deferred(), chunked, batch.replay());
    }

    private Object wholeReply(Decision d, List<Object> replies, int at) {
        try {
            return copiers.get(d.type()).wholeReply(replies, at);
        } catch (IllegalArgumentException e) {
            throw new CopyFailedException(label + ": reading key " + Keys.show(d.sourceKey()) + " (" + d.type().wireName()
                    + ") got " + e.getMessage() + ", not what its command gives; nothing of it was written");
        }
    }

    /** A read that failed because the key changed type meanwhile counts as gone, like an expired key. */
    private static Object readValue(Object reply, Decision d, String label) {
        if (reply instanceof Resp.Error e) {
            if (e.wrongType()) {
                return null;
            }
            throw new CopyFailedException(label + ": reading key " + Keys.show(d.sourceKey()) + " failed: "
                    + e.message());
        }
        boolean string = d.dump() || d.type() == DataType.STRING;
        if (reply instanceof WholeStream) {
            return reply; // checked as it was put together
        }
        if (reply != null && (string ? !(reply instanceof byte[]) : !(reply instanceof List<?> items) || !flatStrings(items))) {
            throw new CopyFailedException(label + ": reading key " + Keys.show(d.sourceKey()) + " ("
                    + d.type().wireName() + ") got " + Resp.describe(reply) + ", not what its command gives; nothing of it"
                    + " was written");
        }
        return reply;
    }

    /** A whole collection as read: strings. */
    private static boolean flatStrings(List<?> items) {
        for (Object item : items) {
            if (!(item instanceof byte[])) {
                return false;
            }
        }
        return true;
    }
}
