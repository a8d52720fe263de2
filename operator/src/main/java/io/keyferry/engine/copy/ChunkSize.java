package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Resp;
import java.util.List;

/**
 * How many elements the next chunk of a big key asks for: at most {@link TypeCopier#CHUNK}, and as many as fit
 * {@link #BYTES}, judged by the elements read so far (the first chunk asks for {@link #FIRST}). A count bounds what
 * HSCAN, SSCAN, ZSCAN, LRANGE and XRANGE send back in elements, not in bytes: a hash of 1 MiB documents read 500
 * fields at a time was 500 MiB a reply. One per key read in chunks.
 */
public final class ChunkSize {
    /** Bytes of elements a chunk asks for at most (an element bigger than that alone is read alone). */
    public static final int BYTES = 1 << 20;
    static final int FIRST = 16;

    private final int most;
    private int count;

    public ChunkSize() {
        this(TypeCopier.CHUNK);
    }

    public ChunkSize(int most) {
        this.most = most;
        this.count = Math.min(most, FIRST);
    }

    /** The elements (a hash's or a sorted set's: fields or members) the next chunk asks for. */
    public int count() {
        return count;
    }

    /** {@link #count()} as a command argument. */
    public byte[] arg() {
        return Resp.num(count);
    }

    /**
     * Learns from a chunk just read.
     *
     * @param flat     its elements as the server sent them
     * @param perEntry items per element: 2 where fields come with values (HSCAN) or members with scores (ZSCAN)
     */
    public void saw(List<?> flat, int perEntry) {
        saw(Resp.payload(flat), flat.size() / perEntry);
    }

    /** Learns from a chunk of so many elements (stream entries: IDs and fields) of so many bytes in all. */
    public void saw(long bytes, int entries) {
        if (entries > 0) {
            count = (int) Math.max(1, Math.min(most, BYTES / Math.max(1, bytes / entries)));
        }
    }
}
