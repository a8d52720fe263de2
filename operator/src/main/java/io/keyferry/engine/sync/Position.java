package io.keyferry.engine.sync;

/**
 * Where a follower stands in a Redis source's replication stream: the replication ID and the offset of the last byte
 * applied (PSYNC asks for the next one).
 */
public record Position(String replId, long offset) {
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
