package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.engine.KeyMapping;
import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.RespConnection;
import io.keyferry.engine.snapshot.RdbEntries;
import io.keyferry.engine.snapshot.RdbValue;
import io.keyferry.engine.sync.ReplicationStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The first round's look at a source from its RDB snapshot (spec.worker.backfill: Snapshot, Full verification): the
 * snapshot is walked as it streams in, and each key is asked of the target (GET for a string, DUMP for the rest, and
 * PTTL), a batch at a time on a thread of its own. A key whose target value is the snapshot's, byte for byte (a hash
 * table's members in any order), with the same expiry within the tolerance, matches. Every other key (absent or
 * different in the target, too big to keep, expired, a module value) is handed to the usual check, which reads both
 * stores again as they are now and applies the policies: this look only ever confirms, it never fails a key itself.
 */
public final class SnapshotCheck {
    private static final int QUEUED = 4;
    /**
     * The bytes of snapshot values a batch holds at most: a batch is cut there however few keys it has, so the batches
     * queued, the one being walked and the one being looked up fit a batch's room ({@link BatchMemory}) twice over.
     */
    static final long BATCH_BYTES = BatchMemory.BATCH_BYTES / QUEUED;
    private static final Object END = new Object();
    /**
     * Elements of a snapshot entry kept as a hash table that this look compares at most; a bigger one goes to the usual
     * check, which compares it by digest without holding it (20,000 hashes of 600 fields compared here took the
     * verification to 312 MB and 4.6 CPU-s at -Xmx256m, against 104 MB and 2.6 CPU-s handed on; 6.8 s against 10.5).
     */
    static final int CHECKED_ELEMENTS = 512;

    private final int index;
    private final KeyMapping mapping;
    private final Set<DataType> types;
    private final int db;
    private final long toleranceMs;
    private final int batchSize;
    private final List<Supplier<RespConnection>> sourceOpeners;
    private final Supplier<RedisLink> targetOpener;
    private volatile Exception failed;

    /** A snapshot entry to look up: its bytes (type and value) as the snapshot has them, or null (not kept). */
    private record Entry(byte[] sourceKey, byte[] targetKey, int rdbType, long expireAt, byte[] bytes) {}

    /**
     * @param types   the data types the source's key filter selects, or null for all
     * @param db      the source's database
     * @param sources opens a connection to the source, or to each master of a cluster source
     * @param target  opens a link to the target, whose pipe the lookups go over (to each key's master in a cluster)
     */
    public SnapshotCheck(int index, KeyMapping mapping, Set<DataType> types, int db, long toleranceMs, int batchSize,
                         List<Supplier<RespConnection>> sources, Supplier<RedisLink> target) {
        this.index = index;
        this.mapping = mapping;
        this.types = types;
        this.db = db;
        this.toleranceMs = toleranceMs;
        this.batchSize = batchSize;
        this.sourceOpeners = sources;
        this.targetOpener = target;
    }

    int index() {
        return index;
    }

    /**
     * Walks the snapshot; keys confirmed are counted through {@code matched}, the others handed to {@code suspects}
     * (called on one thread of this check's, batch after batch).
     */
    void run(Consumer<List<Verifier.KeyRef>> suspects, LongConsumer matched, LongConsumer progress) {
        BlockingQueue<Object> batches = new ArrayBlockingQueue<>(QUEUED);
        RedisLink target = targetOpener.get();
        Thread checker = new Thread(() -> check(target.pipe(), batches, suspects, matched), "keyferry-verify-snapshot");
        checker.setDaemon(true);
        try {
            checker.start();
            for (Supplier<RespConnection> source : sourceOpeners) { // a cluster's masters one after the other
                walk(source.get(), batches, progress);
            }
            put(batches, END);
            checker.join();
            rethrow();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            checker.interrupt();
            target.close();
        }
    }

    /** One server's snapshot (the source's, or a cluster master's), walked into batches. */
    private void walk(RespConnection source, BlockingQueue<Object> batches, LongConsumer progress) throws IOException {
        ReplicationStream.Snapshot snapshot = null;
        try {
            snapshot = ReplicationStream.fullSnapshot(source);
            walk(new RdbEntries(snapshot.in(), db, io.keyferry.engine.snapshot.SnapshotCopy.MAX_ENTRY_BYTES, CHECKED_ELEMENTS)
                            .unsealed(),
                    batches, progress);
        } catch (IOException e) {
            throw new IOException(source.label() + ": the snapshot could not be read for the verification: "
                    + e.getMessage() + "; a rerun takes it again", e);
        } finally {
            if (snapshot != null) {
                snapshot.link().close();
            }
            source.close();
        }
    }

    private void walk(RdbEntries entries, BlockingQueue<Object> batches, LongConsumer progress) throws IOException {
        List<Entry>[] batch = new List[] {new ArrayList<>(batchSize)};
        entries.walk(new RdbEntries.Visitor() {
            private byte[] targetKey;
            private long bytes;

            @Override
            public boolean wants(byte[] key, int rdbType) {
                DataType type = RdbEntries.typeOf(rdbType);
                boolean selected = type == null ? types == null : types == null || types.contains(type);
                targetKey = selected ? mapping.targetKey(index, key) : null;
                return targetKey != null;
            }

            @Override
            public void whole(byte[] key, int rdbType, long expireAt, byte[] payload, int length) throws IOException {
                add(new Entry(key, targetKey, rdbType, expireAt, Arrays.copyOf(payload, length)));
            }

            @Override
            public void tooBig(byte[] key, int rdbType) throws IOException {
                add(new Entry(key, targetKey, rdbType, -1, null));
            }

            private void add(Entry e) throws IOException {
                batch[0].add(e);
                bytes += e.bytes() == null ? 0 : e.bytes().length;
                if (batch[0].size() >= batchSize || bytes >= BATCH_BYTES) {
                    progress.accept(batch[0].size());
                    put(batches, batch[0]);
                    batch[0] = new ArrayList<>(batchSize);
                    bytes = 0;
                }
            }
        });
        progress.accept(batch[0].size());
        put(batches, batch[0]);
    }

    private void put(BlockingQueue<Object> batches, Object item) throws IOException {
        try {
            while (!batches.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Exception e = failed;
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
    }

    @SuppressWarnings("unchecked")
    private void check(Pipe target, BlockingQueue<Object> batches, Consumer<List<Verifier.KeyRef>> suspects,
                       LongConsumer matched) {
        try {
            for (Object item = batches.take(); item != END; item = batches.take()) {
                List<Entry> batch = (List<Entry>) item;
                List<Verifier.KeyRef> differ = new ArrayList<>();
                matched.accept(check(target, batch, differ));
                if (!differ.isEmpty()) {
                    suspects.accept(differ);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failed = e;
        }
    }

    /** Looks the batch up in the target; returns how many keys matched, and adds the others to {@code differ}. */
    private long check(Pipe target, List<Entry> batch, List<Verifier.KeyRef> differ) throws IOException {
        int[] value = new int[batch.size()];
        int[] ttl = new int[batch.size()];
        target.filtering(new BatchMemory(2 * BATCH_BYTES)); // a value past it is not confirmed here: the usual check has it
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            if (e.bytes() != null) {
                value[i] = target.send(e.rdbType() == 0 ? Cmd.GET : Cmd.DUMP, e.targetKey());
                ttl[i] = target.send(Cmd.PTTL, e.targetKey());
            }
        }
        List<Object> replies = target.sync();
        long now = System.currentTimeMillis();
        long same = 0;
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            if (e.bytes() != null && sameValue(e, replies.get(value[i])) && sameExpiry(e.expireAt(), replies.get(ttl[i]), now)) {
                same++;
            } else {
                differ.add(new Verifier.KeyRef(e.targetKey(), List.of(new Verifier.Member(index, e.sourceKey()))));
            }
        }
        return same;
    }

    private static boolean sameValue(Entry e, Object reply) throws IOException {
        if (!(reply instanceof byte[] target)) {
            return false; // absent, or of another type (an error): the usual check tells which
        }
        byte[] source = e.bytes();
        if (e.rdbType() == 0) {
            return Arrays.equals(RdbValue.string(source, source.length), target);
        }
        int body = target.length - 10; // a DUMP payload ends with the RDB version and a CRC-64
        return body > 0 && (Arrays.equals(source, 0, source.length, target, 0, body)
                || RdbValue.sameUnordered(source, source.length, target, body));
    }

    private boolean sameExpiry(long expireAt, Object reply, long now) {
        if (!(reply instanceof Long pttl)) {
            return false;
        }
        if (expireAt <= 0) {
            return pttl == -1;
        }
        return expireAt > now && pttl >= 0 && Math.abs(now + pttl - expireAt) <= toleranceMs;
    }
}
