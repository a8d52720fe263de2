package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/** The chunked copy of a hash, set or sorted set: HSCAN/SSCAN/ZSCAN pages written as they come. */
final class ScanPages {
    private ScanPages() {}

    /**
     * @param scan      the scan command of one page, from a cursor
     * @param writePage queues the writes of one page and returns its payload bytes
     * @return payload bytes copied
     */
    static <C extends ScanCursor> long copy(RedisLink source, TargetWriter target,
                                            BiFunction<ScanCursor, ScanArgs, RedisFuture<C>> scan,
                                            ToLongFunction<C> writePage) {
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(TypeCopier.CHUNK);
        long bytes = 0;
        int pages = 0;
        do {
            C result = source.call(scan.apply(cursor, page));
            bytes += writePage.applyAsLong(result);
            target.link().flush();
            if (++pages % TypeCopier.CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
            cursor = result;
        } while (!cursor.isFinished());
        return bytes;
    }
}
