package io.keyferry.engine.probe;

import io.keyferry.api.EndpointUri;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.redis.RedisLink;
import java.util.Map;

/** Finds an online replica of a standalone server through INFO replication. */
public final class Replicas {
    private Replicas() {}

    /**
     * The URI of the first online replica the primary lists (its own scheme and database).
     *
     * @throws MigrationInputException where the server lists none online
     */
    public static String onlineReplicaUri(RedisLink primary, String primaryUri, String fieldPath) {
        Map<String, String> info = Prober.parseInfo(Prober.text(primary, Prober.ask(primary, "INFO", "replication")));
        for (int i = 0; info.containsKey("slave" + i); i++) {
            Map<String, String> replica = fields(info.get("slave" + i));
            if ("online".equals(replica.get("state"))) {
                EndpointUri uri = EndpointUri.parse(primaryUri);
                return (uri.tls() ? "rediss://" : "redis://") + replica.get("ip") + ":" + replica.get("port") + "/" + uri.db();
            }
        }
        throw new MigrationInputException(fieldPath + ".readFrom is Replica but " + primary.label()
                + " has no online replica (INFO replication lists " + info.getOrDefault("connected_slaves", "0")
                + " connected); point the URI at a primary with a replica, or read from the Primary");
    }

    /** "ip=10.0.0.5,port=6379,state=online,offset=1,lag=0" as a map. */
    private static Map<String, String> fields(String line) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String pair : line.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return m;
    }
}
