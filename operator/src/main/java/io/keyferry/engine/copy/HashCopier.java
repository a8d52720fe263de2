package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.Map;

/** Hashes: HGETALL when small, HSCAN pages when big; HSETNX per field under Fill. */
final class HashCopier implements TypeCopier {
    @Override
    public RedisFuture<Long> size(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.hlen(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.hgetall(key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public long payloadBytes(Object value) {
        return Payload.of((Map<byte[], byte[]>) value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        write(target, d, (Map<byte[], byte[]>) value);
    }

    private static void write(TargetWriter target, Decision d, Map<byte[], byte[]> fields) {
        if (d.action() == Action.FILL) {
            fields.forEach((f, v) -> target.add(target.cmd().hsetnx(d.targetKey(), f, v), d.targetKey()));
        } else {
            target.hset(d.targetKey(), fields);
        }
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        return ScanPages.copy(source, target, (cursor, page) -> source.async().hscan(d.sourceKey(), cursor, page),
                result -> {
                    write(target, d, result.getMap());
                    return payloadBytes(result.getMap());
                });
    }
}
