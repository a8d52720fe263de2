package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.util.List;

/** Sets: SMEMBERS when small, SSCAN pages when big. Members carry no value, so Merge and Fill agree. */
final class SetCopier implements TypeCopier {
    @Override
    public byte[] sizeCommand() {
        return Cmd.SCARD;
    }

    @Override
    public int readWhole(Pipe source, byte[] key) {
        return source.send(Cmd.SMEMBERS, key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        for (List<Object> part : TypeCopier.parts((List<Object>) value, CHUNK)) {
            write(target, d, part);
        }
        target.applyTtl(d, now);
    }

    private static void write(TargetWriter target, Decision d, List<Object> members) {
        if (!members.isEmpty()) {
            target.send(d.targetKey(), Resp.command(Cmd.SADD, d.targetKey(), members));
        }
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        return ScanPages.copy(source.pipe(), target, Cmd.SSCAN, d.sourceKey(), page -> {
            write(target, d, page);
            return payloadBytes(page);
        });
    }
}
