package io.keyferry.testing;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real 3-master Redis Cluster on free loopback ports, made with redis-cli --cluster create. */
public final class RedisCluster implements AutoCloseable {
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
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
            Path log = Files.createTempFile("keyferry-cluster-", ".log");
            Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
            }
            awaitOk(nodes);
            return new RedisCluster(nodes);
        } catch (IOException | InterruptedException | RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw new IllegalStateException("cannot start a Redis Cluster: " + e.getMessage(), e);
        }
    }

    private static void awaitOk(List<RedisServer> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(n -> n.redis().clusterInfo().contains("cluster_state:ok")
                    && !n.redis().clusterNodes().contains("handshake") && replicaLinkUp(n))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the cluster did not reach cluster_state:ok within 30 s");
    }

    private static boolean replicaLinkUp(RedisServer node) {
        String info = node.redis().info("replication");
        return !info.contains("role:slave") || info.contains("master_link_status:up");
    }

    /** The nodes whose INFO says role:master / role:slave. */
    public List<RedisServer> nodesWithRole(String role) {
        return nodes.stream().filter(n -> n.redis().info("replication").contains("role:" + role)).toList();
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
