package io.keyferry.engine.sync;

import io.keyferry.engine.redis.RedisLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A cluster source's changes: each master's ({@link ReplicaChanges}, {@link WalStream}) read on a thread of its own, the
 * changes handed out as they come, each with the cluster's position after it (every master's, by its lowest slot). The
 * order across masters does not matter: a change names keys, and those are copied again from the source as it is then.
 *
 * <p>A saved position continues only where it holds a position for each master followed, by the same lowest slot (no
 * resharding that moved a master's first slot, no master added since): after a failover the promoted replica continues
 * its master's replication. Otherwise every master starts from now and the position counts as lost, so the target is
 * verified with repair. A follower of some masters (a part, with spec.worker.parallelism) takes theirs from a position
 * of the whole cluster (the copy's start).
 */
final class ClusterChanges implements ChangeSource {
    private static final int QUEUED = 10_000;

    /** Opens one master's changes, over a connection of its own to that node. */
    @FunctionalInterface
    interface MasterOpener {
        ChangeSource open(RedisLink.Shard master, Position from);
    }

    private record Part(int firstSlot, ChangeSource changes) {}

    private record FromPart(int part, Changed changed) {}

    private final List<Part> parts = new ArrayList<>();
    private final Map<Integer, Position> now = new LinkedHashMap<>();
    private final Position start;
    private final boolean resumed;
    private final BlockingQueue<FromPart> queue = new ArrayBlockingQueue<>(QUEUED);
    private final List<Thread> readers = new ArrayList<>();
    /** What stopped a master's reading: every later call throws it (the follower opens the changes again). */
    private volatile RuntimeException failure;
    private volatile boolean closed;

    private ClusterChanges(List<RedisLink.Shard> masters, Map<Integer, Position> from, MasterOpener open) {
        boolean all = true;
        try {
            for (RedisLink.Shard m : masters) {
                Position f = from == null ? null : from.get(m.firstSlot());
                ChangeSource c = open.open(m, f);
                parts.add(new Part(m.firstSlot(), c));
                now.put(m.firstSlot(), c.start());
                all &= f != null && c.resumed();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.start = Position.cluster(now);
        this.resumed = all;
        for (int i = 0; i < parts.size(); i++) {
            int part = i;
            Thread t = new Thread(() -> read(part), "keyferry-follow-slot-" + parts.get(i).firstSlot());
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
    }

    /**
     * Follows these masters of a cluster from {@code from} (null: from now).
     *
     * @param masters the cluster's masters as its topology lists them now (all, or those of a part)
     */
    static ClusterChanges open(List<RedisLink.Shard> masters, Position from, MasterOpener open) {
        Map<Integer, Position> saved = from == null ? null : from.masters();
        boolean same = saved != null && saved.keySet().containsAll(masters.stream().map(RedisLink.Shard::firstSlot).toList());
        return new ClusterChanges(masters, same ? saved : null, open);
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
        if (failure != null) {
            throw failure;
        }
        FromPart p = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (failure != null) {
            throw failure; // what was not handed out is read again from the last position handed out
        }
        if (p == null) {
            return null;
        }
        now.put(parts.get(p.part()).firstSlot(), p.changed().position());
        return new Changed(p.changed().effect(), Position.cluster(now));
    }

    private void read(int part) {
        ChangeSource changes = parts.get(part).changes();
        try {
            while (!closed) {
                Changed c = changes.next(200);
                if (c != null) {
                    queue.put(new FromPart(part, c));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!closed) {
                failure = e;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        readers.forEach(Thread::interrupt);
        parts.forEach(p -> p.changes().close());
    }
}
