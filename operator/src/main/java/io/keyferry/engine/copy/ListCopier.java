package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;

/**
 * Lists: LRANGE/RPUSH. Appending is not idempotent, so a replayed key starts after the elements an
 * interrupted run already appended: the target's length now minus its length before the copy.
 */
final class ListCopier implements TypeCopier {
    @Override
    public RedisFuture<Long> size(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.llen(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisClusterAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.lrange(key, 0, -1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public long payloadBytes(Object value) {
        return Payload.of((List<byte[]>) value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        // COPY, REPLACE and MERGE all append; Fill never reaches a list.
        List<byte[]> elements = (List<byte[]>) value;
        target.add(target.cmd().rpush(d.targetKey(), elements.toArray(new byte[0][])), d.targetKey());
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        long start = replay && d.action() != Action.REPLACE ? alreadyAppended(target, d) : 0;
        long bytes = 0;
        int chunks = 0;
        while (true) {
            List<byte[]> elements = source.call(source.async().lrange(d.sourceKey(), start, start + CHUNK - 1));
            if (elements.isEmpty()) {
                break;
            }
            target.add(target.cmd().rpush(d.targetKey(), elements.toArray(new byte[0][])), d.targetKey());
            target.link().flush();
            bytes += payloadBytes(elements);
            start += elements.size();
            if (++chunks % CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
            if (elements.size() < CHUNK) {
                break;
            }
        }
        return bytes;
    }

    private static long alreadyAppended(TargetWriter target, Decision d) {
        long now = target.link().call(target.cmd().llen(d.targetKey()));
        return Math.max(0, now - d.targetLenBefore());
    }
}
