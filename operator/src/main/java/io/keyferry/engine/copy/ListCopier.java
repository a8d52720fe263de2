package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.util.List;

/**
 * Lists: LRANGE/RPUSH. Appending is not idempotent, so a replayed key starts after the elements an
 * interrupted run already appended: the target's length now minus its length before the copy.
 */
final class ListCopier implements TypeCopier {
    @Override
    public byte[] sizeCommand() {
        return Cmd.LLEN;
    }

    @Override
    public int readWhole(Pipe source, byte[] key) {
        return source.send(Cmd.LRANGE, key, Cmd.ZERO, Cmd.LAST);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        // COPY, REPLACE and MERGE all append; Fill never reaches a list.
        for (List<Object> part : TypeCopier.parts((List<Object>) value, CHUNK)) {
            target.send(d.targetKey(), Resp.command(Cmd.RPUSH, d.targetKey(), part));
        }
        target.applyTtl(d, now);
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        long start = replay && d.action() != Action.REPLACE ? alreadyAppended(target, d) : 0;
        Pipe pipe = source.pipe();
        ChunkSize chunk = new ChunkSize();
        long bytes = 0;
        int chunks = 0;
        while (true) {
            int count = chunk.count();
            List<Object> elements = Resp.strings(Resp.call(pipe, Cmd.LRANGE, d.sourceKey(), Resp.num(start),
                    Resp.num(start + count - 1)), pipe.label(), d.sourceKey());
            if (elements.isEmpty()) {
                break;
            }
            chunk.saw(elements, 1);
            target.send(d.targetKey(), Resp.command(Cmd.RPUSH, d.targetKey(), elements));
            target.flush();
            bytes += payloadBytes(elements);
            start += elements.size();
            if (++chunks % CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
            if (elements.size() < count) {
                break;
            }
        }
        return bytes;
    }

    private static long alreadyAppended(TargetWriter target, Decision d) {
        long now = Resp.integer(target.call(d.targetKey(), Cmd.LLEN, d.targetKey()), target.label(), d.targetKey());
        return Math.max(0, now - d.targetLenBefore());
    }
}
