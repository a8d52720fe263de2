package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import java.util.List;

/** Hashes: HGETALL when small, HSCAN pages when big; HSETNX per field under Fill. */
final class HashCopier implements TypeCopier {
    @Override
    public byte[] sizeCommand() {
        return Cmd.HLEN;
    }

    @Override
    public int readWhole(Pipe source, byte[] key) {
        return source.send(Cmd.HGETALL, key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        for (List<Object> part : TypeCopier.parts((List<Object>) value, 2 * CHUNK)) {
            write(target, d, part);
        }
        target.applyTtl(d, now);
    }

    /** @param fields fields and values, alternating */
    private static void write(TargetWriter target, Decision d, List<Object> fields) {
        if (d.action() == Action.FILL) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                target.send(d.targetKey(), Cmd.HSETNX, d.targetKey(), (byte[]) fields.get(i), (byte[]) fields.get(i + 1));
            }
        } else {
            target.hset(d.targetKey(), fields);
        }
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        return ScanPages.copy(source.pipe(), target, Cmd.HSCAN, d.sourceKey(), page -> {
            write(target, d, page);
            return payloadBytes(page);
        });
    }
}
