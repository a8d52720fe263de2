package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;

/** Strings: SET when small, GETRANGE/SETRANGE of 1 MiB when big (idempotent, so a replay is safe). */
final class StringCopier implements TypeCopier {
    static final int RANGE_BYTES = 1 << 20;

    @Override
    public RedisFuture<Long> size(RedisAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.strlen(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.get(key);
    }

    @Override
    public boolean isEmpty(Object value) {
        return value == null;
    }

    @Override
    public long payloadBytes(Object value) {
        return ((byte[]) value).length;
    }

    @Override
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        // Only COPY and REPLACE reach a string: Merge is invalid input, Fill and Skip leave it.
        target.add(target.cmd().set(d.targetKey(), (byte[]) value), d.targetKey());
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        long offset = 0;
        int inFlight = 0;
        while (true) {
            byte[] chunk = source.call(source.async().getrange(d.sourceKey(), offset, offset + RANGE_BYTES - 1));
            if (chunk == null || chunk.length == 0) {
                break;
            }
            target.add(target.cmd().setrange(d.targetKey(), offset, chunk), d.targetKey());
            target.link().flush();
            offset += chunk.length;
            if (++inFlight % CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
            if (chunk.length < RANGE_BYTES) {
                break;
            }
        }
        return offset;
    }
}
