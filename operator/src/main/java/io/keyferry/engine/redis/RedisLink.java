package io.keyferry.engine.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One binary-safe connection to one endpoint, used by one thread at a time: {@link #pipe()} for batches
 * of commands, {@link #async()} (Lettuce) for the rest. On a standalone server Lettuce's commands are queued
 * until {@link #flush()}, so a batch of commands travels as one pipeline; on a cluster each is sent at once
 * (see the cluster constructor).
 */
public final class RedisLink implements AutoCloseable {
    private final String label;
    private AbstractRedisClient client;
    private StatefulConnection<byte[], byte[]> connection;
    private RedisClusterAsyncCommands<byte[], byte[]> commands;
    /** Opens this standalone link's Lettuce connection on first use of {@link #async()}; null once opened or on a cluster. */
    private java.util.function.Supplier<Standalone> opener;
    /** Opens it again when it was found lost between commands (standalone only; null on a cluster). */
    private java.util.function.Supplier<Standalone> reopener;
    private int reopened;
    /** Commands sent on this link's client, when its Endpoints counts them (a source ops/s limit); else null. */
    java.util.concurrent.atomic.LongAdder sent;
    /**
     * A cluster link that reads from replicas (readFrom: Replica): SCAN goes to one replica of each master, and so do
     * the pipe's commands ({@link #slotReaders}).
     */
    boolean replicas;
    String fieldPath;
    /** Makes this cluster link's pipe over bare connections to its nodes; null: a pipe over Lettuce. */
    java.util.function.Supplier<Pipe> pipes;
    private Pipe pipe;

    /** A Lettuce client and its connection to a standalone server. */
    record Standalone(AbstractRedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {}

    /**
     * A standalone server: the pipe is a bare RESP connection, already open (so a wrong address, certificate
     * or password shows before anything else); a Lettuce connection opens only if {@link #async()} is used
     * (the copy and verification of small keys never do), its commands queued until {@link #flush()}.
     */
    RedisLink(String label, RespConnection pipe, java.util.function.Supplier<Standalone> opener) {
        this.label = label;
        this.pipe = pipe;
        this.opener = opener;
        this.reopener = opener;
    }

    /**
     * A connection to a Redis Cluster: commands go to the node of their key's slot, following MOVED and
     * ASK. Each command is sent at once: a node connection Lettuce opens on first use would otherwise keep
     * commands queued after the flush that was meant for them (seen: a verification waiting forever).
     */
    RedisLink(String label, AbstractRedisClient client, StatefulRedisClusterConnection<byte[], byte[]> connection) {
        this(label, client, connection, connection.async());
    }

    /**
     * @param client the client to shut down with this link, or null where the connection belongs to
     *               another link (a cluster node's connection is its cluster connection's)
     */
    private RedisLink(String label, AbstractRedisClient client, StatefulConnection<byte[], byte[]> connection,
                      RedisClusterAsyncCommands<byte[], byte[]> commands) {
        this.label = label;
        this.client = client;
        this.connection = connection;
        this.commands = commands;
    }

    /** A link over one node's connection of a cluster link, for what must go to that node (SCAN). */
    RedisLink node(String nodeLabel, StatefulRedisConnection<byte[], byte[]> nodeConnection) {
        RedisLink node = new RedisLink(nodeLabel, null, nodeConnection, nodeConnection.async());
        node.sent = sent;
        return node;
    }

    /** Commands sent so far on this link's client (its cluster's node connections included); 0 when not counted. */
    public long commandsSent() {
        return sent == null ? 0 : sent.sum();
    }

    /**
     * The links SCAN must go through: one per master of a cluster, ordered by their lowest slot, or
     * this link itself for a standalone server.
     */
    public List<Shard> shards() {
        StatefulRedisClusterConnection<byte[], byte[]> c = cluster();
        if (c == null) {
            return List.of(new Shard(0, this, null));
        }
        List<Shard> shards = new java.util.ArrayList<>();
        for (RedisClusterNode node : c.getPartitions()) {
            if (node.getRole().isUpstream() && !node.getSlots().isEmpty()) {
                int first = java.util.Collections.min(node.getSlots());
                RedisClusterNode scanned = replicas ? replicaOf(c, node) : node;
                String address = scanned.getUri().getHost() + ":" + scanned.getUri().getPort();
                shards.add(new Shard(first, node(label + " node " + address, c.getConnection(scanned.getNodeId())), address));
            }
        }
        shards.sort(java.util.Comparator.comparingInt(Shard::firstSlot));
        return shards;
    }

    /**
     * "host:port" of the node that serves each slot's reads, as the cluster's topology says: the master that holds it,
     * or with readFrom: Replica a connected replica of that master (refused where a master has none).
     */
    String[] slotReaders() {
        StatefulRedisClusterConnection<byte[], byte[]> c = cluster();
        String[] readers = new String[io.lettuce.core.cluster.SlotHash.SLOT_COUNT];
        for (RedisClusterNode node : c.getPartitions()) {
            if (node.getRole().isUpstream() && !node.getSlots().isEmpty()) {
                RedisClusterNode reader = replicas ? replicaOf(c, node) : node;
                String address = reader.getUri().getHost() + ":" + reader.getUri().getPort();
                for (int slot : node.getSlots()) {
                    readers[slot] = address;
                }
            }
        }
        return readers;
    }

    /** A connected replica of a master, as the cluster's topology lists it; refused when it has none. */
    private RedisClusterNode replicaOf(StatefulRedisClusterConnection<byte[], byte[]> c, RedisClusterNode master) {
        for (RedisClusterNode n : c.getPartitions()) {
            if (master.getNodeId().equals(n.getSlaveOf()) && n.isConnected()
                    && !n.getFlags().contains(RedisClusterNode.NodeFlag.FAIL) && !n.getFlags().contains(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
                return n;
            }
        }
        throw new io.keyferry.engine.MigrationInputException(fieldPath + ".readFrom is Replica but the master "
                + master.getUri().getHost() + ":" + master.getUri().getPort() + " of " + label + " has no connected replica;"
                + " add one, or read from the masters (Primary)");
    }

    /**
     * A part of a store that SCAN covers on its own: a cluster master (by its lowest slot) or a whole server.
     *
     * @param node the cluster node's "host:port" (a replica of the master with readFrom: Replica); null for a server
     */
    public record Shard(int firstSlot, RedisLink link, String node) {}

    /** Asks the cluster for its topology again (after a failover: {@link #shards} then lists the new masters). */
    public void refreshTopology() {
        if (client instanceof io.lettuce.core.cluster.RedisClusterClient c) {
            c.refreshPartitions();
        }
    }

    /** host and port of the cluster node that holds a key, or null for a standalone server. */
    public RedisURI nodeFor(byte[] key) {
        StatefulRedisClusterConnection<byte[], byte[]> c = cluster();
        return c == null ? null : c.getPartitions().getPartitionBySlot(SlotHash.getSlot(key)).getUri();
    }

    /** The cluster connection behind this link, or null for a standalone server. */
    public StatefulRedisClusterConnection<byte[], byte[]> cluster() {
        return connection instanceof StatefulRedisClusterConnection<byte[], byte[]> c ? c : null;
    }

    /** The endpoint as the user named it ("source pika-0 (redis://host:port/0)"), never with secrets. */
    public String label() { return label; }

    /** Commands; on a standalone server they are queued and nothing is sent before {@link #flush()}. */
    public RedisClusterAsyncCommands<byte[], byte[]> async() {
        if (opener != null) {
            open();
        } else if (reopener != null && !connection.isOpen()) {
            reopen();
        }
        return commands;
    }

    private synchronized void open() {
        if (opener == null) {
            return;
        }
        Standalone s = opener.get();
        s.connection().setAutoFlushCommands(false);
        awaitActive(s);
        client = s.client();
        connection = s.connection();
        commands = s.connection().async();
        opener = null;
    }

    /**
     * Until the new connection takes commands. Lettuce's connect can return before its writer has seen the channel
     * become active (the last step of the handshake runs on its I/O thread), and a command queued in that moment is
     * refused with "Currently not connected" although the server holds the logged-in connection (seen on a loaded
     * machine: the server's log shows the connection with only its AUTH, closed later by the client). So a PING is
     * sent, again while it is refused so, for at most the connect timeout.
     */
    private void awaitActive(Standalone s) {
        long deadline = System.nanoTime() + Timeouts.connect().toNanos();
        while (true) {
            RedisFuture<String> ping = s.connection().async().ping();
            s.connection().flushCommands();
            try {
                await(ping);
                return;
            } catch (io.lettuce.core.RedisException e) {
                if (!(e.getClass() == io.lettuce.core.RedisException.class && String.valueOf(e.getMessage()).contains("not connected"))
                        || System.nanoTime() > deadline) {
                    s.connection().close();
                    s.client().shutdown(Duration.ZERO, Duration.ofSeconds(1));
                    throw new IllegalStateException(label + ": the connection did not become ready: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", interrupted);
                }
            }
        }
    }

    /**
     * A standalone connection found closed before a command was queued on it (the server or the network dropped
     * it; seen on a loaded machine with nothing else wrong) is opened again: the commands it already answered are
     * done, and nothing queued is lost, since nothing was queued on it since. Lettuce's own reconnect stays off,
     * because it would send again commands that were in flight when a connection dropped; those fail as before.
     * Its state is what the handshake sets (login, database), so the new connection is the same as the old one.
     */
    private synchronized void reopen() {
        if (connection.isOpen()) {
            return;
        }
        AbstractRedisClient lost = client;
        try {
            connection.close();
        } finally {
            lost.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        opener = reopener;
        open();
        reopened++;
    }

    /** Whether this link's Lettuce connection is open (false before its first use and once it was lost). */
    boolean asyncOpen() {
        return connection != null && connection.isOpen();
    }

    /** How many times this link's Lettuce connection was found lost and opened again. */
    public int reopened() {
        return reopened;
    }

    public void flush() {
        if (connection != null) {
            connection.flushCommands();
        }
    }

    /**
     * The fast lane for batches of small commands: on a standalone server a bare RESP connection beside this
     * link's (opened with it, closed with it); on a cluster bare connections to its masters ({@link ClusterPipe}),
     * or this link's own Lettuce connection where reads go to replicas.
     */
    public Pipe pipe() {
        if (pipe == null) {
            pipe = pipes != null ? pipes.get() : new LinkPipe(this);
        }
        return pipe;
    }

    /**
     * Sends the queued commands and waits for all their replies. A command the server refused does not
     * throw here: the caller reads each reply (and so knows which key it was about).
     */
    public void sync(List<? extends Future<?>> futures) {
        flush();
        long deadline = System.nanoTime() + Timeouts.reply().toNanos();
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (ExecutionException refused) {
                // read by the caller, with the key it belongs to
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(label + ": no reply within " + Timeouts.describe(Timeouts.reply()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * Sends one command and returns its reply. Whatever went wrong names this link's endpoint: a server error stays
     * a {@link RedisCommandExecutionException} (its text after the endpoint), anything else (a lost connection, a
     * reply the client could not decode) becomes an IllegalStateException.
     */
    public <T> T call(RedisFuture<T> future) {
        flush();
        try {
            return await(future);
        } catch (RedisCommandExecutionException e) {
            throw new RedisCommandExecutionException(label + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw why.contains(label) ? e : new IllegalStateException(label + ": " + why, e);
        }
    }

    /** The reply of an already flushed command; a server error is thrown as its cause. */
    public static <T> T await(Future<T> future) {
        try {
            return future.isDone() ? future.get() : future.get(Timeouts.reply().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no reply within " + Timeouts.describe(Timeouts.reply()), e);
        }
    }

    /** One list of the futures of several pipelines, to wait for them together. */
    @SafeVarargs
    public static List<RedisFuture<?>> concat(List<? extends RedisFuture<?>>... lists) {
        List<RedisFuture<?>> all = new java.util.ArrayList<>();
        for (List<? extends RedisFuture<?>> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    @Override
    public void close() {
        if (pipe instanceof RespConnection resp) {
            resp.close();
        } else if (pipe instanceof ClusterPipe nodes) {
            nodes.close();
        }
        if (client == null) {
            return; // never opened, or a cluster node's connection, which closes with its cluster connection
        }
        try {
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
