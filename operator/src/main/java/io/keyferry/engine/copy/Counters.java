package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keys counted per data type and outcome. Types KeyFerry cannot copy count under "other".
 * Serialised as {"hash.merged": 10, ...} so checkpoints and reports stay readable.
 */
public final class Counters {
    public static final String OTHER_TYPE = "other";

    /** The name of every count, made once: checkpoints name them after every batch. */
    private static final String[][] NAMES = new String[DataType.values().length + 1][Outcome.values().length];

    static {
        for (int r = 0; r < NAMES.length; r++) {
            for (Outcome o : Outcome.values()) {
                NAMES[r][o.ordinal()] = typeName(r) + "." + o.label();
            }
        }
    }

    private final long[][] counts = new long[DataType.values().length + 1][Outcome.values().length];
    private long bytes;

    public void add(DataType type, Outcome outcome) {
        counts[row(type)][outcome.ordinal()]++;
    }

    public void addBytes(long n) {
        bytes += n;
    }

    public void addAll(Counters other) {
        for (int r = 0; r < counts.length; r++) {
            for (int c = 0; c < counts[r].length; c++) {
                counts[r][c] += other.counts[r][c];
            }
        }
        bytes += other.bytes;
    }

    public long get(DataType type, Outcome outcome) {
        return counts[row(type)][outcome.ordinal()];
    }

    public long total(Outcome outcome) {
        long sum = 0;
        for (long[] row : counts) {
            sum += row[outcome.ordinal()];
        }
        return sum;
    }

    /** Keys that were decided on (every outcome). */
    public long keys() {
        long sum = 0;
        for (Outcome o : Outcome.values()) {
            sum += total(o);
        }
        return sum;
    }

    public long keysWritten() {
        long sum = 0;
        for (Outcome o : Outcome.values()) {
            if (o.wroteTarget()) {
                sum += total(o);
            }
        }
        return sum;
    }

    public long bytes() { return bytes; }

    public Map<String, Long> toMap() {
        Map<String, Long> m = new TreeMap<>();
        forEach(m::put);
        return m;
    }

    /** Every count that is not zero under its name ("hash.merged"), then "bytes": what {@link #toMap} holds. */
    public void forEach(java.util.function.ObjLongConsumer<String> each) {
        for (int r = 0; r < counts.length; r++) {
            for (int o = 0; o < counts[r].length; o++) {
                if (counts[r][o] != 0) {
                    each.accept(NAMES[r][o], counts[r][o]);
                }
            }
        }
        if (bytes != 0) {
            each.accept("bytes", bytes);
        }
    }

    /** A copy that does not change with this one. */
    public Counters copy() {
        Counters c = new Counters();
        c.addAll(this);
        return c;
    }

    public static Counters fromMap(Map<String, Long> m) {
        Counters c = new Counters();
        if (m == null) {
            return c;
        }
        m.forEach((k, v) -> {
            if (k.equals("bytes")) {
                c.bytes = v;
                return;
            }
            int dot = k.indexOf('.');
            String type = k.substring(0, dot);
            DataType t = type.equals(OTHER_TYPE) ? null : DataType.fromTypeReply(type);
            c.counts[row(t)][Outcome.fromLabel(k.substring(dot + 1)).ordinal()] += v;
        });
        return c;
    }

    /** The name of a row: a data type's name, or "other". */
    public static String typeName(int row) {
        return row == DataType.values().length ? OTHER_TYPE : DataType.values()[row].wireName();
    }

    public static int rows() {
        return DataType.values().length + 1;
    }

    public long get(int row, Outcome outcome) {
        return counts[row][outcome.ordinal()];
    }

    private static int row(DataType type) {
        return type == null ? DataType.values().length : type.ordinal();
    }
}
