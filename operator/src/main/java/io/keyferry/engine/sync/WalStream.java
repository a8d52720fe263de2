package io.keyferry.engine.sync;

import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A Kvrocks source's changes, read from its write-ahead log with {@code POLLUPDATES <sequence> MAX <n> FORMAT RAW}
 * (Kvrocks 2.10 and later; an admin command). Each reply holds the RocksDB write batches after {@code sequence}, as
 * hex; a batch is decoded into the user keys it changed ({@link KvrocksKeys}), and the follower's position is the
 * sequence of its last record, as Kvrocks' own {@code next_sequence} counts it.
 *
 * <p>Kvrocks answers with the first batch it still has: when that one starts past the sequence asked for, the batches
 * between were recycled with their log file, and what changed there is not known (as when a Redis backlog was
 * overwritten). So do its errors for a sequence it cannot seek to ("iterator is not valid"), or one past its latest
 * ("next sequence is out of range": a source restored or replaced). Keys expired by Kvrocks' compaction leave no
 * record: the target expires them itself, with the TTL the copy gave them.
 */
final class WalStream implements ChangeSource {
    /** Batches asked for per poll (Kvrocks takes 1 to 1000). */
    static final int MAX_BATCHES = 100;
    /** How long a poll that found nothing new waits before the next one. */
    private static final long IDLE_MILLIS = 50;
    private static final byte[][] POLL = {Resp.ascii("POLLUPDATES"), null, Resp.ascii("MAX"), Resp.num(MAX_BATCHES),
            Resp.ascii("FORMAT"), Resp.ascii("RAW")};

    private final RespConnection connection;
    private final KvrocksKeys keys;
    private final Position start;
    private final boolean resumed;
    private final Deque<Changed> ready = new ArrayDeque<>();
    private long sequence;

    private WalStream(RespConnection connection, KvrocksKeys keys, Position start, boolean resumed) {
        this.connection = connection;
        this.keys = keys;
        this.start = start;
        this.resumed = resumed;
        this.sequence = start.offset();
    }

    /**
     * Reads the log from {@code from} where Kvrocks still holds it, from its latest sequence otherwise (null: from now).
     *
     * @throws IllegalStateException naming the endpoint when the source refuses POLLUPDATES
     */
    static WalStream open(RespConnection connection, Position from, KvrocksKeys keys) {
        try {
            if (from != null && from.inWal()) {
                WalStream s = new WalStream(connection, keys, from, true);
                if (s.readFirst()) {
                    return s;
                }
            }
            long latest = SourceFeed.masterOffset(connection, connection.label());
            if (latest < 0) {
                throw new IllegalStateException(connection.label() + ": INFO replication shows no master_repl_offset, the"
                        + " sequence a Kvrocks' write-ahead log is followed from");
            }
            WalStream s = new WalStream(connection, keys, Position.inWal(latest), false);
            s.readFirst(); // refused here, if the user may not read the log; what was written since INFO is queued
            return s;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public Position start() {
        return start;
    }

    @Override
    public boolean resumed() {
        return resumed;
    }

    @Override
    public Changed next(long millis) throws InterruptedException {
        if (ready.isEmpty()) {
            List<WriteBatchReader.Batch> batches = poll();
            if (batches == null) {
                throw new IllegalStateException(connection.label() + ": the write-ahead log no longer holds sequence "
                        + (sequence + 1));
            }
            if (batches.isEmpty()) {
                Thread.sleep(Math.min(millis, IDLE_MILLIS));
                return null;
            }
            queue(batches);
        }
        return ready.poll();
    }

    /** Polls once and queues what came; false when the log no longer holds the sequence after the position. */
    private boolean readFirst() {
        List<WriteBatchReader.Batch> first = poll();
        if (first != null) {
            queue(first);
        }
        return first != null;
    }

    private void queue(List<WriteBatchReader.Batch> batches) {
        for (WriteBatchReader.Batch b : batches) {
            ChangedKeys.Effect effect;
            try {
                effect = keys.of(b);
            } catch (IllegalArgumentException e) {
                throw unreadable(b.sequence(), e);
            }
            sequence = Math.max(sequence, b.lastSequence());
            ready.add(new Changed(effect, Position.inWal(sequence)));
        }
    }

    /** The batches after {@link #sequence}; null when the log no longer holds the next one. */
    private List<WriteBatchReader.Batch> poll() {
        byte[][] cmd = POLL.clone();
        cmd[1] = Resp.num(sequence);
        Object reply = Resp.call(connection, cmd);
        if (reply instanceof Resp.Error e) {
            if (refused(e.message())) {
                throw new IllegalStateException(connection.label() + ": POLLUPDATES answered \"" + e.message() + "\"; a"
                        + " Kvrocks source is followed through its write-ahead log with POLLUPDATES, which needs Kvrocks 2.10"
                        + " or later and its admin user (the requirepass password, not a namespace token)");
            }
            return null;
        }
        List<Object> flat = Resp.array(reply, connection.label(), null);
        List<WriteBatchReader.Batch> batches = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if ("updates".equals(Resp.text(flat.get(i), connection.label(), null))) {
                for (Object hex : Resp.array(flat.get(i + 1), connection.label(), null)) {
                    batches.add(batch(Resp.text(hex, connection.label(), null)));
                }
            }
        }
        return !batches.isEmpty() && batches.get(0).sequence() > sequence + 1 ? null : batches;
    }

    private WriteBatchReader.Batch batch(String hex) {
        try {
            return WriteBatchReader.read(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw unreadable(sequence + 1, e);
        }
    }

    private SourceFeed.Unfollowable unreadable(long at, IllegalArgumentException e) {
        return new SourceFeed.Unfollowable(connection.label() + ": the write-ahead log's batch after sequence " + (at - 1)
                + " could not be read (" + e.getMessage() + "); a follow cannot tell which keys it changed. Run again with"
                + " --restart to copy afresh");
    }

    private static boolean refused(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("unknown command") || m.contains("admin") || m.contains("noperm") || m.contains("noauth")
                || m.contains("permission");
    }

    @Override
    public void close() {
        connection.close();
    }
}
