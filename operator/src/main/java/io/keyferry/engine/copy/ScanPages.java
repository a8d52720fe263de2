package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/** The chunked copy of a hash, set or sorted set: HSCAN/SSCAN/ZSCAN pages written as they come. */
final class ScanPages {
    private ScanPages() {}

    /**
     * @param scan      HSCAN, SSCAN or ZSCAN
     * @param writePage queues the writes of one page (its flat elements) and returns its payload bytes
     * @return payload bytes copied
     */
    static long copy(Pipe source, TargetWriter target, byte[] scan, byte[] key, ToLongFunction<List<Object>> writePage) {
        byte[] cursor = Cmd.ZERO;
        long bytes = 0;
        int pages = 0;
        do {
            List<Object> page = Resp.array(Resp.call(source, scan, key, cursor, Cmd.COUNT, Resp.num(TypeCopier.CHUNK)),
                    source.label(), key);
            cursor = Resp.bytes(page.get(0), source.label(), key);
            bytes += writePage.applyAsLong(Resp.array(page.get(1), source.label(), key));
            target.flush();
            if (++pages % TypeCopier.CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
        } while (!Arrays.equals(cursor, Cmd.ZERO));
        return bytes;
    }
}
