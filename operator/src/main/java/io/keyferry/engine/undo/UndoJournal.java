package io.keyferry.engine.undo;

import io.keyferry.api.DataType;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
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
     * {@code target} (whose queued writes must have landed); durable when this returns. Two round trips: TYPE, PTTL
     * and the size of the type the key is expected to have ({@code types}, the source's), then DUMP of the keys of
     * that type and at most {@link #SMALL_ELEMENTS} elements ({@link #SMALL_STRING_BYTES} bytes): a bigger key, a key
     * of another type, and every key on a store without DUMP is read in chunks, so memory stays bounded as the copy's.
     *
     * @param types per key, the type it is expected to have in the target (null where unknown)
     * @throws CopyFailedException the journal would grow past spec.undo.maxBytes; nothing of these keys was recorded
     *                             whole, and the caller must not write them
     */
    public synchronized void record(List<byte[]> keys, List<DataType> types, Pipe target, ServerProfile profile) {
        // Each key hashed once: the digest tells whether it is recorded, and marks it recorded once it is durable.
        List<Integer> asked = new ArrayList<>();
        List<long[]> digests = new ArrayList<>();
        KeySet inBatch = new KeySet();
        for (int i = 0; i < keys.size(); i++) {
            long[] d = recorded.digest(keys.get(i));
            if (!recorded.contains(d) && inBatch.add(d)) {
                asked.add(i);
                digests.add(d);
            }
        }
        if (asked.isEmpty()) {
            return;
        }
        boolean dump = profile.kind() == ServerKind.REDIS && profile.dumpRestore();
        long now = System.currentTimeMillis();
        int[] sizeAt = new int[asked.size()];
        for (int a = 0; a < asked.size(); a++) {
            byte[] k = keys.get(asked.get(a));
            target.send(Cmd.TYPE, k);
            target.send(Cmd.PTTL, k);
            DataType hint = types.get(asked.get(a));
            sizeAt[a] = dump && hint != null ? target.send(SIZE.get(hint), k) : -1;
        }
        List<Object> replies = target.sync();
        Segments out = new Segments();
        List<Integer> dumped = new ArrayList<>();
        List<Long> expiries = new ArrayList<>();
        List<Object[]> chunked = new ArrayList<>(); // key, type, expiry: read after the DUMPs' replies are in
        List<DataType> dumpedTypes = new ArrayList<>();
        target.filtering(new BatchMemory(BatchMemory.BATCH_BYTES)); // DUMPs past a batch's room are read in chunks
        int at = 0;
        for (int a = 0; a < asked.size(); a++) {
            byte[] k = keys.get(asked.get(a));
            String type = Resp.typeName(replies.get(at++), target.label(), k);
            long pttl = Resp.integer(replies.get(at++), target.label(), k);
            long expireAt = pttl >= 0 ? now + pttl : -1;
            DataType t = DataType.fromTypeReply(type);
            Object size = sizeAt[a] >= 0 ? replies.get(at++) : null; // an error where the key is of another type
            boolean small = t == types.get(asked.get(a)) && size instanceof Long n
                    && n <= (t == DataType.STRING ? SMALL_STRING_BYTES : SMALL_ELEMENTS);
            if ("none".equals(type)) {
                out.add(PriorState.absent(k), digests.get(a));
            } else if (t == null) {
                throw new CopyFailedException("the target holds key " + Keys.show(k) + " of type " + type + ", which the"
                        + " undo journal cannot record on " + target.label() + "; nothing of it was written");
            } else if (small) {
                target.send(Cmd.DUMP, k);
                dumped.add(a);
                dumpedTypes.add(t);
                expiries.add(expireAt);
            } else {
                chunked.add(new Object[] {k, t, expireAt});
            }
        }
        List<Object> dumps = target.sync(); // also where nothing was sent: it clears the filter
        for (int d = 0; d < dumped.size(); d++) {
            byte[] k = keys.get(asked.get(dumped.get(d)));
            if (dumps.get(d) == BatchMemory.NO_ROOM) {
                chunked.add(new Object[] {k, dumpedTypes.get(d), expiries.get(d)});
                continue;
            }
            if (!(dumps.get(d) instanceof byte[] payload)) {
                throw new CopyFailedException(target.label() + " did not DUMP key " + Keys.show(k) + " for the undo journal ("
                        + Resp.describe(dumps.get(d)) + "); nothing of its batch was written");
            }
            out.add(PriorState.dump(k, expiries.get(d), payload), digests.get(dumped.get(d)));
        }
        for (Object[] c : chunked) {
            PriorReader.read(target, (byte[]) c[0], (DataType) c[1], (Long) c[2], out::add);
        }
        out.flush();
    }

    /**
     * Records the prior state of keys about to be deleted (an extra-key repair, a live sync's delete of a key no source
     * holds any more), as {@link #record} does: one more round trip first asks the type each key has now, so a small
     * key is still kept by DUMP. Durable when this returns; the caller deletes only after it.
     */
    public synchronized void recordBeforeDelete(List<byte[]> keys, Pipe target, ServerProfile profile) {
        List<byte[]> fresh = new ArrayList<>();
        for (byte[] k : keys) {
            if (!recorded.contains(k)) {
                fresh.add(k);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        fresh.forEach(k -> target.send(Cmd.TYPE, k));
        List<Object> replies = target.sync();
        List<DataType> types = new ArrayList<>(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
            types.add(DataType.fromTypeReply(Resp.typeName(replies.get(i), target.label(), fresh.get(i))));
        }
        record(fresh, types, target, profile);
    }

    /** Collections up to this many elements are journaled by DUMP (on a Redis target), bigger ones in chunks: as copied. */
    static final int SMALL_ELEMENTS = io.keyferry.engine.copy.BatchCopier.WHOLE_ELEMENTS;
    /** Strings up to this many bytes are journaled by DUMP: as copied whole. */
    static final int SMALL_STRING_BYTES = io.keyferry.engine.copy.BatchCopier.SMALL_STRING_BYTES;
    private static final Map<DataType, byte[]> SIZE = new java.util.EnumMap<>(Map.of(DataType.STRING, Cmd.STRLEN,
            DataType.HASH, Cmd.HLEN, DataType.LIST, Cmd.LLEN, DataType.SET, Cmd.SCARD, DataType.ZSET, Cmd.ZCARD,
            DataType.STREAM, Cmd.XLEN));

    /** The states of one call, appended a segment at a time; a key counts as recorded once its last state is durable. */
    private final class Segments {
        private final List<PriorState> pending = new ArrayList<>();
        /** The digest of each pending state's key where the caller had it, else null. */
        private final List<long[]> pendingDigests = new ArrayList<>();
        private long size;

        void add(PriorState s) {
            add(s, null);
        }

        void add(PriorState s, long[] digest) {
            pending.add(s);
            pendingDigests.add(digest);
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
            for (int i = 0; i < pending.size(); i++) {
                if (pending.get(i).last()) {
                    long[] d = pendingDigests.get(i);
                    recorded.add(d != null ? d : recorded.digest(pending.get(i).key()));
                }
            }
            pending.clear();
            pendingDigests.clear();
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
