package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * Sorted sets: ZRANGE WITHSCORES when small, ZSCAN pages when big. Fill adds only missing members:
 * ZADD NX where the target has it, otherwise (Pika) ZSCORE first and ZADD what is missing.
 */
final class ZSetCopier implements TypeCopier {
    @Override
    public RedisFuture<Long> size(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.zcard(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.zrangeWithScores(key, 0, -1);
    }


    @Override
    @SuppressWarnings("unchecked")
    public long payloadBytes(Object value) {
        long n = 0;
        for (ScoredValue<byte[]> m : (List<ScoredValue<byte[]>>) value) {
            n += m.getValue().length + 8;
        }
        return n;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        write(target, d, (List<ScoredValue<byte[]>>) value);
    }

    @SuppressWarnings("unchecked")
    private static void write(TargetWriter target, Decision d, List<ScoredValue<byte[]>> members) {
        if (members.isEmpty()) {
            return;
        }
        if (d.action() != Action.FILL) {
            target.add(target.cmd().zadd(d.targetKey(), members.toArray(new ScoredValue[0])), d.targetKey());
        } else if (target.profile().zaddNx()) {
            target.add(target.cmd().zadd(d.targetKey(), ZAddArgs.Builder.nx(), members.toArray(new ScoredValue[0])),
                    d.targetKey());
        } else {
            List<ScoredValue<byte[]>> missing = missingMembers(target, d.targetKey(), members);
            if (!missing.isEmpty()) {
                target.add(target.cmd().zadd(d.targetKey(), missing.toArray(new ScoredValue[0])), d.targetKey());
            }
        }
    }

    private static List<ScoredValue<byte[]>> missingMembers(TargetWriter target, byte[] key,
                                                            List<ScoredValue<byte[]>> members) {
        List<RedisFuture<Double>> scores = new ArrayList<>(members.size());
        for (ScoredValue<byte[]> m : members) {
            scores.add(target.cmd().zscore(key, m.getValue()));
        }
        target.link().sync(scores);
        List<ScoredValue<byte[]>> missing = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            if (RedisLink.await(scores.get(i)) == null) {
                missing.add(members.get(i));
            }
        }
        return missing;
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        return ScanPages.copy(source, target, (cursor, page) -> source.async().zscan(d.sourceKey(), cursor, page),
                result -> {
                    write(target, d, result.getValues());
                    return payloadBytes(result.getValues());
                });
    }
}
