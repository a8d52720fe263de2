package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.Collection;

/** Sets: SMEMBERS when small, SSCAN pages when big. Members carry no value, so Merge and Fill agree. */
final class SetCopier implements TypeCopier {
    @Override
    public RedisFuture<Long> size(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.scard(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.smembers(key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public long payloadBytes(Object value) {
        return Payload.of((Collection<byte[]>) value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        write(target, d, (Collection<byte[]>) value);
    }

    private static void write(TargetWriter target, Decision d, Collection<byte[]> members) {
        if (!members.isEmpty()) {
            target.add(target.cmd().sadd(d.targetKey(), members.toArray(new byte[0][])), d.targetKey());
        }
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        return ScanPages.copy(source, target, (cursor, page) -> source.async().sscan(d.sourceKey(), cursor, page),
                result -> {
                    write(target, d, result.getValues());
                    return payloadBytes(result.getValues());
                });
    }
}
