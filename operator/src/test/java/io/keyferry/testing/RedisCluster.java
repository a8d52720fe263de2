package io.keyferry.testing;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/** A real 3-master Redis Cluster on free loopback ports, made with CLUSTER ADDSLOTS, MEET and REPLICATE. */
public final class RedisCluster implements AutoCloseable {
    private static final int SLOTS = 16384;
    private final List<RedisServer> nodes;
    private final RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
        this.client = RedisClusterClient.create(RedisURI.create("127.0.0.1", nodes.get(0).port()));
    }

    public static RedisCluster start() {
        return start(0);
    }

    /** Three masters, each with this many replicas (started, synced and known to every node). */
    public static RedisCluster start(int replicasPerMaster) {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * (1 + replicasPerMaster); i++) {
                nodes.add(RedisServer.start(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes-" + RedisServer.PORT + ".conf", "--cluster-node-timeout", "5000")));
            }
            create(nodes);
            return new RedisCluster(nodes);
        } catch (InterruptedException | RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw new IllegalStateException("cannot start a Redis Cluster: " + e.getMessage(), e);
        }
    }

    /**
     * What `redis-cli --cluster create` does, over a client (the bundled redis-server comes without redis-cli):
     * the first three nodes share the slots in ranges as equal as can be, each node gets its own config epoch,
     * all meet the first, and the others replicate the masters in turn.
     */
    private static void create(List<RedisServer> nodes) throws InterruptedException {
        for (int m = 0; m < 3; m++) {
            nodes.get(m).redis().clusterAddSlots(IntStream.range(SLOTS * m / 3, SLOTS * (m + 1) / 3).toArray());
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).redis().clusterSetConfigEpoch(i + 1);
        }
        for (RedisServer other : nodes.subList(1, nodes.size())) {
            nodes.get(0).redis().clusterMeet("127.0.0.1", other.port());
        }
        await(nodes, n -> n.redis().clusterNodes().lines().count() == nodes.size()
                && !n.redis().clusterNodes().contains("handshake"), "every node to know the others");
        for (int i = 3; i < nodes.size(); i++) {
            nodes.get(i).redis().clusterReplicate(nodes.get(i % 3).redis().clusterMyId());
        }
        await(nodes, n -> n.redis().clusterInfo().contains("cluster_state:ok") && replicaLinkUp(n)
                && replicasKnownTo(n) == nodes.size() - 3, "cluster_state:ok and every replica synced, known to all");
    }

    private static void await(List<RedisServer> nodes, Predicate<RedisServer> ready, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(ready)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("waited 30 s for " + what);
    }

    /** How many replicas this node's CLUSTER NODES lists: Redis 6.2 tells the others of a new one by gossip, later. */
    private static long replicasKnownTo(RedisServer node) {
        return node.redis().clusterNodes().lines().filter(l -> l.split(" ")[2].contains("slave")).count();
    }

    private static boolean replicaLinkUp(RedisServer node) {
        String info = node.redis().info("replication");
        return !info.contains("role:slave") || info.contains("master_link_status:up");
    }

    /** The nodes whose INFO says role:master / role:slave. */
    public List<RedisServer> nodesWithRole(String role) {
        return nodes.stream().filter(n -> n.redis().info("replication").contains("role:" + role)).toList();
    }

    /** The slots this master serves, as CLUSTER SLOTS says, in order. */
    public IntStream slotsOf(RedisServer master) {
        String id = master.redis().clusterMyId();
        return master.redis().clusterSlots().stream().map(range -> (List<?>) range)
                .filter(range -> id.equals(((List<?>) range.get(2)).get(2)))
                .flatMapToInt(range -> IntStream.rangeClosed(((Long) range.get(0)).intValue(),
                        ((Long) range.get(1)).intValue()))
                .sorted();
    }

    /**
     * What `redis-cli --cluster reshard` does, over a client: the first {@code count} slots of one master move to
     * another one by one; a slot's keys migrate 10 at a time while it is MIGRATING here and IMPORTING there, then
     * every master learns its new owner (the new one first).
     */
    public void moveSlots(RedisServer from, RedisServer to, int count) {
        String fromId = from.redis().clusterMyId();
        String toId = to.redis().clusterMyId();
        List<RedisServer> masters = new ArrayList<>(List.of(to, from));
        nodesWithRole("master").stream().filter(n -> n != to && n != from).forEach(masters::add);
        for (int slot : slotsOf(from).limit(count).toArray()) {
            to.redis().clusterSetSlotImporting(slot, fromId);
            from.redis().clusterSetSlotMigrating(slot, toId);
            for (List<String> keys = from.redis().clusterGetKeysInSlot(slot, 10); !keys.isEmpty();
                    keys = from.redis().clusterGetKeysInSlot(slot, 10)) {
                from.redis().migrate("127.0.0.1", to.port(), 0, 5000, MigrateArgs.Builder.keys(keys));
            }
            masters.forEach(m -> m.redis().clusterSetSlotNode(slot, toId));
        }
    }

    /** A seed URI, as a manifest gives it with cluster: true. */
    public String uri() {
        return nodes.get(0).uri();
    }

    /** Commands routed to the node of each key's slot. */
    public synchronized RedisAdvancedClusterCommands<String, String> redis() {
        if (connection == null) {
            connection = client.connect();
        }
        return connection.sync();
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        nodes.forEach(RedisServer::close);
    }
}
