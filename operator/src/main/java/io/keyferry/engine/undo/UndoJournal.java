package io.keyferry.engine.undo;

import io.keyferry.api.DataType;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records target keys' prior states before the copy first changes them ({@link #record}), each key once: the first
 * record of a key wins, later changes of it (another source, a repeated batch) record nothing. {@link #record}
 * returns only once the states are durable in the {@link SegmentStore}, and the caller writes only after it: so
 * after a kill at any instant the journal covers every key the target changed.
 *
 * <p>Where the target has DUMP (a Redis server) a key is its DUMP payload and expiry; elsewhere its type-native value
 * in chunks ({@link PriorReader}), so memory stays bounded. The states of a batch are appended in segments of about
 * {@value #SEGMENT_BYTES} bytes. A journal that would grow past spec.undo.maxBytes refuses before appending, and the
 * copy stops before the batch writes anything.
 */
public final class UndoJournal implements AutoCloseable {
    static final int SEGMENT_BYTES = 1024 * 1024;

    private final SegmentStore store;
    private final long maxBytes;
    /** Target keys recorded whole. */
    private final KeySet recorded = new KeySet();
    private long bytes;

    /** @param maxBytes spec.undo.maxBytes, 0 or less for no limit */
    public UndoJournal(SegmentStore store, long maxBytes) {
        this.store = store;
        this.maxBytes = maxBytes;
        store.forEach(segment -> {
            for (PriorState s : PriorState.decode(segment)) {
                if (s.last()) {
                    recorded.add(s.key());
                }
            }
        });
        this.bytes = store.bytes();
    }

    /** Opens a copy's undo journal, given connections to the target and to spec.undo.store (each new). */
    public interface Opener {
        UndoJournal open(java.util.function.Supplier<io.keyferry.engine.redis.RedisLink> target,
                         java.util.function.Supplier<io.keyferry.engine.redis.RedisLink> undoStore);
    }

    /**
     * The journal of a migration: in spec.undo.store where one is named (under {@code id}), else where {@code here}
     * keeps it (the state directory, or the target beside the checkpoint).
     */
    public static UndoJournal open(io.keyferry.api.UndoSpec spec, String id,
                                   java.util.function.Supplier<io.keyferry.engine.redis.RedisLink> undoStore,
                                   java.util.function.Supplier<SegmentStore> here) {
        SegmentStore store = spec.getStore() != null ? new TargetSegmentStore(undoStore.get(), id, true) : here.get();
        return new UndoJournal(store, spec.getMaxBytes() == null ? 0 : spec.getMaxBytes());
    }

    private static String name(byte[] key) {
        return new String(key, StandardCharsets.ISO_8859_1);
    }

    /** Bytes of the journal. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Keys recorded. */
    public synchronized long keys() {
        return recorded.size();
    }

    public SegmentStore store() {
        return store;
    }

    /**
     * Records the prior state of every key of {@code keys} not recorded yet, reading the target as it is now over
     * {@code target} (whose queued writes must have landed); durable when this returns.
     *
     * @throws CopyFailedException the journal would grow past spec.undo.maxBytes; nothing of these keys was recorded
     *                             whole, and the caller must not write them
     */
    public synchronized void record(List<byte[]> keys, Pipe target, ServerProfile profile) {
        Map<String, byte[]> fresh = new LinkedHashMap<>();
        for (byte[] k : keys) {
            if (!recorded.contains(k)) {
                fresh.putIfAbsent(name(k), k);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        boolean dump = profile.kind() == ServerKind.REDIS && profile.dumpRestore();
        List<byte[]> asked = new ArrayList<>(fresh.values());
        long now = System.currentTimeMillis();
        for (byte[] k : asked) {
            target.send(Cmd.TYPE, k);
            target.send(Cmd.PTTL, k);
            if (dump) {
                target.send(Cmd.DUMP, k);
            }
        }
        List<Object> replies = target.sync();
        int per = dump ? 3 : 2;
        Segments out = new Segments();
        for (int i = 0; i < asked.size(); i++) {
            byte[] k = asked.get(i);
            String type = Resp.typeName(replies.get(i * per), target.label(), k);
            long pttl = Resp.integer(replies.get(i * per + 1), target.label(), k);
            long expireAt = pttl >= 0 ? now + pttl : -1;
            if ("none".equals(type)) {
                out.add(PriorState.absent(k));
            } else if (dump && replies.get(i * per + 2) instanceof byte[] payload) {
                out.add(PriorState.dump(k, expireAt, payload));
            } else {
                DataType t = DataType.fromTypeReply(type);
                if (t == null) {
                    throw new CopyFailedException("the target holds key " + Keys.show(k) + " of type " + type + ", which the"
                            + " undo journal cannot record on " + target.label() + "; nothing of it was written");
                }
                PriorReader.read(target, k, t, expireAt, out::add);
            }
        }
        out.flush();
    }

    /** The states of one call, appended a segment at a time; a key counts as recorded once its last state is durable. */
    private final class Segments {
        private final List<PriorState> pending = new ArrayList<>();
        private long size;

        void add(PriorState s) {
            pending.add(s);
            size += s.size();
            if (size >= SEGMENT_BYTES) {
                flush();
            }
        }

        void flush() {
            if (pending.isEmpty()) {
                return;
            }
            byte[] segment = PriorState.encode(pending);
            if (maxBytes > 0 && bytes + segment.length > maxBytes) {
                throw new CopyFailedException("the undo journal would grow to " + (bytes + segment.length) + " bytes,"
                        + " past spec.undo.maxBytes (" + maxBytes + "); the copy stopped before writing the keys it"
                        + " could not record. Raise spec.undo.maxBytes (or set spec.undo.enabled: false to copy"
                        + " without protection) and run again: the copy resumes");
            }
            store.append(segment);
            bytes += segment.length;
            for (PriorState s : pending) {
                if (s.last()) {
                    recorded.add(s.key());
                }
            }
            pending.clear();
            size = 0;
        }
    }

    private boolean closed;

    /** Closes the store; again is harmless (the parts of one copy share a journal). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.close();
        }
    }
}
