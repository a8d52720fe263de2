package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.EndpointUri;
import io.keyferry.api.ReadFrom;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.Replicas;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * A migration's connections: every endpoint of its spec opened, logged in and probed, each error naming the field it
 * comes from; where each source is read (its endpoint, or an online replica of it with readFrom: Replica); and the
 * connections opened for the copy's stages, all closed with it.
 */
final class MigrationLinks implements AutoCloseable {
    private static final String TARGET_FIELD = "spec.target.endpoint";

    private final DataMigrationSpec spec;
    private final Endpoints endpoints;
    private final Prober prober = new Prober();
    private final List<RedisLink> opened = new ArrayList<>();
    /** Where each source is read, once {@link #readEndpoint} found it. */
    private final List<EndpointSpec> readEndpoints = new ArrayList<>();

    MigrationLinks(DataMigrationSpec spec, SecretResolver secrets) {
        this.spec = spec;
        this.endpoints = new Endpoints(secrets);
    }

    /** Counts the commands sent on every connection (spec.worker.rateLimit.sourceOpsPerSecond). */
    void countingCommands() {
        endpoints.countingCommands();
    }

    /** A new connection to the target, not closed with these links. */
    RedisLink connectTarget() {
        return endpoints.connect(spec.getTarget().getEndpoint(), TARGET_FIELD, "target");
    }

    /** A new connection to the target, closed with these links. */
    RedisLink openTarget() {
        return kept(connectTarget());
    }

    /** A new connection to source {@code i} where it is read, not closed with these links; after {@link #readEndpoint}. */
    RedisLink connectSource(int i) {
        return endpoints.connect(readEndpoints.get(i), sourceField(i), role(i));
    }

    /** A new connection to source {@code i} where it is read, closed with these links. */
    RedisLink openSource(int i) {
        return kept(connectSource(i));
    }

    /** A new connection to the undo journal's store (spec.undo.store). */
    RedisLink connectUndoStore() {
        return endpoints.connect(spec.getUndo().getStore(), "spec.undo.store", "undo store");
    }

    /** A connection of its own to the target, logged in and on its database, or to one node of it ("host:port"; null: the endpoint). */
    RespConnection rawTarget(String node) {
        return raw(spec.getTarget().getEndpoint(), TARGET_FIELD, "target", node);
    }

    /** A connection of its own to source {@code i} where it is read, or to one node of it ("host:port"; null: the endpoint). */
    RespConnection rawSource(int i, String node) {
        return raw(readEndpoints.get(i), sourceField(i), role(i), node);
    }

    private RespConnection raw(EndpointSpec endpoint, String field, String role, String node) {
        if (node == null) {
            return endpoints.openRaw(endpoint, field, role);
        }
        int colon = node.lastIndexOf(':');
        return endpoints.openRaw(endpoint, field, role, node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
    }

    /**
     * Where source {@code i} is read: its endpoint, or for readFrom: Replica the endpoint of one of its online replicas
     * (a cluster's replicas are chosen per master by its link). Call in list order.
     */
    EndpointSpec readEndpoint(int i) {
        SourceSpec s = spec.getSources().get(i);
        EndpointSpec at = s.getEndpoint();
        if (s.getEndpoint().getReadFrom() == ReadFrom.REPLICA && !s.getEndpoint().clusterEnabled()) {
            try (RedisLink primary = endpoints.connect(s.getEndpoint(), sourceField(i), role(i))) {
                at = s.getEndpoint().at(Replicas.onlineReplicaUri(primary, s.getEndpoint().getUri(), sourceField(i)));
            }
        }
        readEndpoints.add(at);
        return at;
    }

    /** What the server behind {@code link} is; a cluster must be declared as one (and only a cluster). */
    ServerProfile probe(RedisLink link, String path, EndpointSpec endpoint) {
        ServerProfile profile = prober.probe(link);
        boolean declaredCluster = endpoint.clusterEnabled();
        endpoints.boundPipelines(endpoint, link, profile.commands().pipelineCommands(), profile.commands().pipelineBytes());
        if (profile.cluster() && !declaredCluster) {
            throw new MigrationInputException(link.label() + " at " + path + " is a Redis Cluster node; set "
                    + path + ".cluster: true so that every master is scanned and every key goes to its slot's node");
        }
        if (!profile.cluster() && declaredCluster) {
            throw new MigrationInputException(path + ".cluster is true but " + link.label()
                    + " is not a Redis Cluster (INFO says cluster_enabled:0); remove cluster: true");
        }
        return profile;
    }

    /**
     * A target that is a replica refuses every write (READONLY), or where it accepts them loses them at its next sync
     * with its primary: refused before anything is written, naming the primary. A cluster's node is not asked: writes
     * go to each slot's master whatever node the endpoint names.
     */
    static void requireWritable(RedisLink target, ServerProfile profile) {
        if (profile.replicaOf() != null && !profile.cluster()) {
            throw new MigrationInputException("spec.target.endpoint.uri: " + target.label() + " is a replica of "
                    + profile.replicaOf() + " (INFO replication: role:slave), which would refuse the copy's writes or"
                    + " lose them at its next sync; point it at the primary");
        }
    }

    /** Copying a server into itself would apply the policies to its own keys: refused. */
    void checkNotTarget(int i, RedisLink source, ServerProfile profile, RedisLink target, ServerProfile targetProfile) {
        boolean sameServer = !profile.runId().isEmpty() && profile.runId().equals(targetProfile.runId());
        boolean sameDb = EndpointUri.parse(spec.getSources().get(i).getEndpoint().getUri()).db()
                == EndpointUri.parse(spec.getTarget().getEndpoint().getUri()).db();
        if (sameServer && (sameDb || profile.kind() == ServerKind.KVROCKS)) {
            throw new MigrationInputException(sourceField(i) + ".uri: " + source.label() + " is the same database as the target "
                    + target.label() + "; a source must not be the target");
        }
    }

    private RedisLink kept(RedisLink link) {
        opened.add(link);
        return link;
    }

    private static String sourceField(int i) {
        return "spec.sources[" + i + "].endpoint";
    }

    private String role(int i) {
        return "source " + spec.getSources().get(i).getName();
    }

    @Override
    public void close() {
        for (RedisLink link : opened) {
            link.close();
        }
        endpoints.close();
    }
}
