package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Resp;
import java.util.List;

/**
 * How many elements the next chunk of a big key asks for: at most {@link TypeCopier#CHUNK}, and as many as fit
 * {@link #BYTES}, judged by the elements read so far (the first chunk asks for {@link #FIRST}). A count bounds what
 * HSCAN, SSCAN, ZSCAN, LRANGE and XRANGE send back in elements, not in bytes: a hash of 1 MiB documents read 500
 * fields at a time was 500 MiB a reply. One per key read in chunks; {@link SourceScan} sizes its pages of key names
 * the same way, with bounds of its own.
 */
public final class ChunkSize {
    /** Bytes of elements a chunk asks for at most (an element bigger than that alone is read alone). */
    public static final int BYTES = 1 << 20;
    static final int FIRST = 16;

    private final int most;
    private final long bytes;
    private final int least;
    private int count;

    public ChunkSize() {
        this(TypeCopier.CHUNK);
    }

    public ChunkSize(int most) {
        this(most, FIRST, BYTES, 1);
    }

    /**
     * @param most  elements a chunk asks for at most
     * @param first what the first chunk asks for (at most {@code most})
     * @param bytes what the elements of a chunk may hold, judged by their average so far
     * @param least what a chunk asks for at least (at most {@code most}), however big its elements
     */
    ChunkSize(int most, int first, long bytes, int least) {
        this.most = most;
        this.bytes = bytes;
        this.least = Math.min(most, least);
        this.count = Math.min(most, first);
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

    /** Learns from a page of HSCAN, SSCAN or ZSCAN ({@code scan}), its elements flat as the server sent them. */
    public void sawPage(byte[] scan, List<?> flat) {
        saw(flat, java.util.Arrays.equals(scan, Cmd.SSCAN) ? 1 : 2);
    }

    /** Learns from a chunk of so many elements (stream entries: IDs and fields) of so many bytes in all. */
    public void saw(long read, int entries) {
        if (entries > 0) {
            count = (int) Math.max(least, Math.min(most, bytes / Math.max(1, read / entries)));
        }
    }
}
