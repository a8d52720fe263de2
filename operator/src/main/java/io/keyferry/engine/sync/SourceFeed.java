package io.keyferry.engine.sync;

import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One source followed: a thread reads its changes ({@link ChangeSource}: a Redis replication stream, a Kvrocks
 * write-ahead log) and collects the target names of the keys each changes, with the position they came to. A lost
 * connection is resumed from the position collected so far; if the source cannot continue from there (its backlog was
 * overwritten, its log recycled), the position is lost and the caller is told.
 */
final class SourceFeed implements AutoCloseable {
    /** Past this many distinct keys waiting, the set is dropped and the target needs a rescan with repair instead. */
    static final int MAX_PENDING = 1_000_000;
    private static final int RECONNECTS = 5;

    /** What {@link #take} handed out: keys to apply, and the position they bring the source to once applied. */
    record Taken(Set<ByteBuffer> keys, Position position, long firstAt) {}

    private final int index;
    private final String name;
    private final FollowedSource followed;
    private final java.util.function.Predicate<byte[]> selects;
    private final Resync resync;
    private final Thread reader;
    private ChangeSource stream;
    private final Object lock = new Object();
    private Set<ByteBuffer> pending = new LinkedHashSet<>();
    private long pendingSince;
    private Position collected;
    private volatile Position applied;
    private volatile boolean lostPosition;
    private volatile boolean overflowed;
    private volatile RuntimeException failure;
    private volatile boolean closed;
    private long keysApplied;
    private static final int MAX_SAMPLES = 64;
    private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();
    private long caughtUpAt;

    SourceFeed(int index, String name, Position from, FollowedSource followed, Resync resync) {
        this.index = index;
        this.name = name;
        this.followed = followed;
        this.selects = followed.keys();
        this.resync = resync;
        this.stream = followed.open(from);
        this.lostPosition = from != null && !stream.resumed();
        this.collected = stream.start();
        this.applied = stream.start();
        this.reader = new Thread(this::read, "keyferry-follow-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    int index() {
        return index;
    }

    String name() {
        return name;
    }

    /** The saved position could not be continued from (or the keys waiting overflowed): a rescan is needed. */
    boolean lostPosition() {
        return lostPosition || overflowed;
    }

    /** A rescan with repair starts now: what was missed before it is covered by it. */
    void rescanning() {
        lostPosition = false;
        overflowed = false;
    }

    Position applied() {
        return applied;
    }

    int pendingKeys() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Hands out the keys collected so far; throws what stopped the reading, naming the source. */
    Taken take() {
        if (failure != null) {
            throw failure;
        }
        synchronized (lock) {
            Taken t = new Taken(pending, collected, pendingSince);
            pending = new LinkedHashSet<>();
            pendingSince = 0;
            return t;
        }
    }

    void applied(Taken t) {
        applied = t.position();
        keysApplied += t.keys().size();
    }

    Follow.Lag lag() {
        long sampledAt = System.currentTimeMillis(); // before the source is asked: every change before it is counted
        long master = followed.now();
        long since;
        synchronized (lock) {
            since = pendingSince;
        }
        double seconds = since == 0 ? 0 : (System.currentTimeMillis() - since) / 1000.0;
        return new Follow.Lag(name, applied, Math.max(0, master - applied.offset()), seconds, keysApplied,
                caughtUp(sampledAt, master));
    }

    /**
     * The latest sample time whose source position the applied one reached: every change the source took before then
     * is applied. Samples not reached yet wait (a few: one per lag report), so a source under steady writes, never
     * exactly caught up, still shows how far back it is complete.
     */
    private long caughtUp(long sampledAt, long master) {
        if (master > 0 && samples.size() < MAX_SAMPLES) {
            samples.addLast(new long[] {sampledAt, master});
        }
        long reached = applied.offset();
        while (!samples.isEmpty() && samples.peekFirst()[1] <= reached) {
            caughtUpAt = samples.pollFirst()[0];
        }
        if (master > 0 && master <= reached) { // 0: the source's position is not known (INFO failed)
            caughtUpAt = Math.max(caughtUpAt, sampledAt);
        }
        return caughtUpAt;
    }

    private void read() {
        int reconnects = 0;
        while (!closed) {
            try {
                ChangeSource.Changed c = stream.next(200);
                if (c == null) {
                    continue;
                }
                reconnects = 0;
                collect(c);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (e instanceof Unfollowable || ++reconnects > RECONNECTS) {
                    failure = e instanceof Unfollowable ? e : new IllegalStateException("source " + name + ": cannot follow"
                            + " its changes any more: " + e.getMessage(), e);
                    return;
                }
                resume(reconnects);
            }
        }
    }

    private void collect(ChangeSource.Changed c) {
        ChangedKeys.Effect effect = c.effect();
        synchronized (lock) {
            if (effect instanceof ChangedKeys.Unmirrorable u) {
                throw new Unfollowable("source " + name + ": " + u.why() + "; a follow cannot mirror that key by key. The"
                        + " target keeps what it has; run again with --restart to copy afresh");
            }
            List<byte[]> keys = effect instanceof ChangedKeys.Keys k ? k.keys()
                    : effect instanceof ChangedKeys.Push p ? List.of(p.key()) : List.of();
            for (byte[] key : keys) {
                byte[] target = selects.test(key) ? resync.targetKey(index, key) : null;
                if (target != null && !overflowed) {
                    if (pending.isEmpty()) {
                        pendingSince = System.currentTimeMillis();
                    }
                    pending.add(ByteBuffer.wrap(target));
                }
            }
            if (pending.size() > MAX_PENDING) {
                overflowed = true;
                pending = new LinkedHashSet<>();
            }
            collected = c.position();
        }
    }

    /** Opens the stream again from what was collected; a source that cannot continue from there loses the position. */
    private void resume(int attempt) {
        try {
            Thread.sleep(Math.min(5000, 200L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Position from;
        synchronized (lock) {
            from = collected;
        }
        stream.close();
        try {
            stream = followed.open(from);
        } catch (RuntimeException e) {
            return; // tried again at the next turn, up to the limit
        }
        if (!stream.resumed()) {
            lostPosition = true;
            synchronized (lock) {
                collected = stream.start();
            }
        }
    }

    /**
     * The source's own position now, from INFO replication: a Redis master's replication offset, a Kvrocks' latest
     * write-ahead log sequence (it reports that as master_repl_offset too); -1 where INFO does not show it.
     */
    static long masterOffset(Pipe pipe, String label) {
        Object info = Resp.call(pipe, Resp.ascii("INFO"), Resp.ascii("replication"));
        String text = new String(Resp.bytes(info, label, null), StandardCharsets.UTF_8);
        for (String line : text.split("\r\n")) {
            if (line.startsWith("master_repl_offset:")) {
                return Long.parseLong(line.substring("master_repl_offset:".length()).strip());
            }
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        stream.close();
    }

    /** A change no follow can mirror key by key: not retried. */
    static final class Unfollowable extends IllegalStateException {
        Unfollowable(String message) {
            super(message);
        }
    }
}
