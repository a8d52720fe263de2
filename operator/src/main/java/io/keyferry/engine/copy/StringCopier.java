package io.keyferry.engine.copy;

import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;

/**
 * Strings: SET when small (read with a bounded GETRANGE); when big, GETRANGE of 1 MiB from the source streamed into one SET on the
 * target ({@link RespConnection}), so neither KeyFerry nor the target holds the value twice and no
 * command blocks either server: growing a big string chunk by chunk (APPEND, or SETRANGE past its end)
 * reallocates and copies it again and again, 30-45 ms per call at 50 MiB on a quiet 2-core machine and
 * over 100 ms under load (measured). The SET replaces the value whole, so a replay simply repeats it.
 */
final class StringCopier implements TypeCopier {
    static final int RANGE_BYTES = 1 << 20;

    @Override
    public byte[] sizeCommand() {
        return Cmd.STRLEN;
    }

    /** GETRANGE's last index for a string read whole: a reply longer than a small string marks a big one. */
    private static final byte[] BOUND = Resp.num(BatchCopier.SMALL_STRING_BYTES);

    /**
     * Bounded, as strings are not sized before they are read: up to one byte more than a small string (the
     * batch then settles big and empty ones). No STRLEN before, and no DUMP, which tries to compress every
     * value and checksums it, so that SET is cheaper on both servers than DUMP/RESTORE.
     */
    @Override
    public int readWhole(Pipe source, byte[] key) {
        return source.send(Cmd.GETRANGE, key, Cmd.ZERO, BOUND);
    }

    @Override
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        // Only COPY and REPLACE reach a string: Merge is invalid input, Fill and Skip leave it.
        target.set(d, (byte[]) value, now);
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        long length = d.sourceSize();
        if (length > target.profile().maxBulkBytes()) {
            throw new CopyFailedException("the string " + Keys.show(d.sourceKey()) + " has " + length + " bytes, more than "
                    + "the target accepts in one value (proto-max-bulk-len " + target.profile().maxBulkBytes()
                    + "); raise proto-max-bulk-len on the target, then run again to resume");
        }
        target.sync(); // a REPLACE's delete must land before the SET
        long[] offset = {0};
        Pipe pipe = source.pipe();
        try {
            target.setStreamed(d.targetKey(), length, () -> {
                byte[] chunk = Resp.bytes(Resp.call(pipe, Cmd.GETRANGE, d.sourceKey(), Resp.num(offset[0]),
                        Resp.num(offset[0] + RANGE_BYTES - 1)), pipe.label(), d.sourceKey());
                offset[0] += chunk.length;
                return chunk;
            });
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new CopyFailedException("copying the big string " + Keys.show(d.sourceKey()) + " failed: "
                    + e.getMessage() + "; run again to resume", e);
        }
        return length;
    }
}
