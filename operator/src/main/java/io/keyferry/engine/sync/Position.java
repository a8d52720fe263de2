package io.keyferry.engine.sync;

/**
 * Where a follower stands in a source's changes: for Redis, the replication ID and the offset of the last byte applied
 * (PSYNC asks for the next one); for Kvrocks, {@value #WAL} and the sequence of the last write-ahead log record applied
 * (POLLUPDATES asks for those after it).
 */
public record Position(String replId, long offset) {
    /** The replication ID a Kvrocks source's position carries: its write-ahead log has one sequence, no history. */
    public static final String WAL = "kvrocks-wal";

    public static Position inWal(long sequence) {
        return new Position(WAL, sequence);
    }

    /** Whether this is a sequence in a Kvrocks write-ahead log. */
    public boolean inWal() {
        return WAL.equals(replId);
    }

    /** {@code <replid>:<offset>}, as the checkpoint keeps it. */
    public String encode() {
        return replId + ":" + offset;
    }

    public static Position decode(String s) {
        int colon = s == null ? -1 : s.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            return new Position(s.substring(0, colon), Long.parseLong(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
