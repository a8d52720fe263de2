package io.keyferry.engine.sync;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a follower stands in a source's changes: for Redis, the replication ID and the offset of the last byte applied
 * (PSYNC asks for the next one); for Kvrocks, {@value #WAL} and the sequence of the last write-ahead log record applied
 * (POLLUPDATES asks for those after it). A cluster's position is each master's, by the master's lowest slot
 * ({@link #cluster}): {@code cluster/0=<replid>:<offset>/5461=...}, its offset their sum.
 */
public record Position(String replId, long offset) {
    /** The replication ID a Kvrocks source's position carries: its write-ahead log has one sequence, no history. */
    public static final String WAL = "kvrocks-wal";
    private static final String CLUSTER = "cluster";

    public static Position inWal(long sequence) {
        return new Position(WAL, sequence);
    }

    /** A cluster's position: each master's (by its lowest slot, in the order given). */
    public static Position cluster(Map<Integer, Position> masters) {
        StringBuilder id = new StringBuilder(CLUSTER);
        long sum = 0;
        for (Map.Entry<Integer, Position> e : masters.entrySet()) {
            id.append('/').append(e.getKey()).append('=').append(e.getValue().encode());
            sum += e.getValue().offset();
        }
        return new Position(id.toString(), sum);
    }

    /** Each master's position by its lowest slot, for a cluster's; null for one server's (or an unreadable one). */
    public Map<Integer, Position> masters() {
        if (!replId.startsWith(CLUSTER + "/")) {
            return null;
        }
        Map<Integer, Position> out = new LinkedHashMap<>();
        for (String part : replId.substring(CLUSTER.length() + 1).split("/")) {
            int eq = part.indexOf('=');
            Position p = eq > 0 ? decode(part.substring(eq + 1)) : null;
            if (p == null) {
                return null;
            }
            try {
                out.put(Integer.parseInt(part.substring(0, eq)), p);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    /** Whether this is a sequence in a Kvrocks write-ahead log (a cluster's: each of its masters'). */
    public boolean inWal() {
        Map<Integer, Position> masters = masters();
        return masters == null ? WAL.equals(replId) : !masters.isEmpty() && masters.values().iterator().next().inWal();
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
