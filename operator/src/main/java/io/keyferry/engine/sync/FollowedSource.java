package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.Migration;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.RedisLink;
import java.util.List;
import java.util.function.Predicate;

/**
 * What one follower reads of a source: how its changes are opened (a Redis' replication stream, a Kvrocks' write-ahead
 * log; a cluster's, each master's), which of its keys it collects, and where the source stands now. A follower may take
 * part {@code part} of {@code parts} (spec.worker.parallelism), as the copy's parts split the source: whole masters of a
 * cluster with at least as many masters as parts, otherwise the keys whose CRC32 falls in the part (each part then
 * reads the whole stream and keeps its own keys).
 */
final class FollowedSource {
    private final Migration migration;
    private final int index;
    private final int part;
    private final int parts;
    private final int db;
    private final boolean wal;
    private final boolean cluster;
    /** The part takes whole masters (else it keeps the keys of its part). */
    private final boolean byMaster;
    private final KvrocksKeys walKeys;
    private final Follow.SourceConnections open;

    FollowedSource(DataMigrationSpec spec, Migration migration, int index, int part, int parts, Follow.SourceConnections open) {
        this.migration = migration;
        this.index = index;
        this.part = part;
        this.parts = parts;
        this.open = open;
        ServerProfile profile = migration.sourceProfile(index);
        this.db = io.keyferry.api.EndpointUri.parse(spec.getSources().get(index).getEndpoint().getUri()).db();
        this.wal = profile.kind() == ServerKind.KVROCKS;
        this.cluster = profile.cluster();
        this.walKeys = new KvrocksKeys(KvrocksKeys.DEFAULT_NAMESPACE, cluster);
        this.byMaster = cluster && SourceScan.mastersOf(migration.source(index).shards(), true, part, parts) != null;
    }

    /** Opens the changes from a saved position (null: from now); a cluster's topology is asked again each time. */
    ChangeSource open(Position from) {
        if (!cluster) {
            return wal ? WalStream.open(open.open(index, null), from, walKeys) : ReplicaChanges.open(open.open(index, null), from, db);
        }
        migration.source(index).refreshTopology();
        return ClusterChanges.open(masters(), from, (master, at) -> wal
                ? WalStream.open(open.open(index, master.node()), at, walKeys)
                : ReplicaChanges.open(open.open(index, master.node()), at, db));
    }

    /** The source keys this follower collects: all, or those of its part where the parts split the keys. */
    Predicate<byte[]> keys() {
        return byMaster || parts <= 1 ? key -> true : key -> SourceScan.inPart(key, part, parts);
    }

    /**
     * Where the source stands now, as far as this follower reads it: a Redis' replication offset, a Kvrocks' latest
     * write-ahead log sequence, the sum over a cluster's masters (those of the part); 0 where it is not known.
     */
    long now() {
        try {
            long sum = 0;
            for (RedisLink.Shard m : cluster ? masters() : migration.source(index).shards()) {
                long offset = SourceFeed.masterOffset(m.link().pipe(), m.link().label());
                if (offset < 0) {
                    return 0;
                }
                sum += offset;
            }
            return sum;
        } catch (RuntimeException e) {
            return 0; // lag is reported without the source's position
        }
    }

    /** The cluster's masters this follower reads: those of its part, or all (where the parts split the keys). */
    private List<RedisLink.Shard> masters() {
        List<RedisLink.Shard> all = migration.source(index).shards();
        List<RedisLink.Shard> mine = byMaster ? SourceScan.mastersOf(all, true, part, parts) : null;
        return mine != null ? mine : all; // masters fewer than parts now: reading all of them collects too much, never too little
    }

    /**
     * Where source i stands now, so that following it later from there misses nothing: a Kvrocks' latest write-ahead
     * log sequence; a Redis' replication offset, a backlog made where it had none (see
     * {@link TargetPositions#replicaStart}); a cluster's, each master's.
     */
    static Position now(Migration migration, int i, Follow.SourceConnections open) {
        boolean wal = migration.sourceProfile(i).kind() == ServerKind.KVROCKS;
        RedisLink source = migration.source(i);
        if (!migration.sourceProfile(i).cluster()) {
            return wal ? TargetPositions.walNow(source) : TargetPositions.replicaStart(open.open(i, null));
        }
        java.util.Map<Integer, Position> masters = new java.util.LinkedHashMap<>();
        for (RedisLink.Shard m : source.shards()) {
            masters.put(m.firstSlot(), wal ? TargetPositions.walNow(m.link()) : TargetPositions.replicaStart(open.open(i, m.node())));
        }
        return Position.cluster(masters);
    }
}
