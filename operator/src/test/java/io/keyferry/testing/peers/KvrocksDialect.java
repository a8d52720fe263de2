package io.keyferry.testing.peers;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kvrocks (unstable of 2024-10-24) as recorded (shared/peers/kvrocks.jsonl): SCAN cursors are tokens past a long's
 * range, SCAN MATCH takes prefixes only, every database is one keyspace, WRONGTYPE comes inside "ERR Invalid
 * argument", scores are printed with 17 significant digits, ZMSCORE sends each score as RESP inside a bulk string,
 * TTL rounds down, a stream has no DUMP and RESTORE's errors are its own. POLLUPDATES reads a write-ahead log of the
 * batches recorded for the same writes ({@link RecordedWal}), and INFO shows that log's sequence.
 */
final class KvrocksDialect extends RecordedDialect {
    /** Tokens stand this far past Redis' cursors: beyond a signed long, as the recorded ZSCAN's 9394562200589303810. */
    private static final BigInteger TOKEN_BASE = BigInteger.ONE.shiftLeft(63);

    /** XINFO STREAM without radix-tree figures or groups. */
    private static final Set<String> STREAM_FIELDS = Set.of("length", "last-generated-id", "max-deleted-entry-id",
            "entries-added", "recorded-first-entry-id", "first-entry", "last-entry");

    private final RecordedWal wal;

    KvrocksDialect(RecordedWal wal) {
        super("kvrocks", Set.of());
        this.wal = wal;
    }

    /** INFO as recorded, its replication offset and sequence those of the recorded write-ahead log. */
    @Override
    Object info(List<byte[]> cmd) {
        Object info = super.info(cmd);
        if (!(info instanceof byte[] text)) {
            return info;
        }
        long latest = wal.latest();
        return Wire.bytes(Wire.text(text).replaceAll("(?m)^master_repl_offset:\\d+", "master_repl_offset:" + latest)
                .replaceAll("(?m)^sequence:\\d+", "sequence:" + latest));
    }

    @Override
    String unknownCommand(List<byte[]> cmd) {
        List<String> args = cmd.stream().skip(1).map(a -> "`" + Wire.text(a) + "`").toList();
        return "ERR unknown command `" + Wire.text(cmd.get(0)) + "`, with args beginning with: " + String.join(", ", args);
    }

    @Override
    Step data(String name, List<byte[]> cmd) {
        return switch (name) {
            case "SCAN" -> scan(cmd);
            case "XINFO" -> arg(cmd, 1).equals("STREAM") ? Forward.of(cmd, r -> wrongType(fields(r, STREAM_FIELDS)))
                    : Forward.of(cmd, KvrocksDialect::wrongType);
            case "SELECT" -> new Answer(new Wire.Simple("OK")); // one keyspace for every database
            case "TTL" -> Forward.of(with(cmd, 0, "PTTL"), r -> r instanceof Long ms && ms >= 0 ? ms / 1000 : r);
            case "ZSCORE" -> Forward.of(cmd, KvrocksDialect::score);
            case "ZMSCORE" -> Forward.of(cmd, r -> r instanceof List<?> scores
                    ? scores.stream().map(s -> (Object) Wire.encode(score(s))).toList() : wrongType(r));
            case "ZRANGE", "ZREVRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE" -> Forward.of(cmd, r ->
                    cmd.stream().anyMatch(a -> Wire.text(a).equalsIgnoreCase("WITHSCORES")) ? scoresAtOddPlaces(r) : wrongType(r));
            case "DUMP" -> new Forward(List.of(command("TYPE", Wire.text(cmd.get(1))), cmd), r ->
                    r.get(0) instanceof Wire.Simple t && t.text().equals("stream")
                            ? new Wire.Err("ERR Invalid or Not supported object type") : r.get(1));
            case "RESTORE" -> Forward.of(cmd, r -> restoreError(cmd, r));
            case "OBJECT" -> arg(cmd, 1).equals("DUMP") ? Forward.as(cmd)
                    : new Answer(new Wire.Err("ERR object subcommand must be dump"));
            case "POLLUPDATES" -> pollUpdates(cmd);
            default -> Forward.of(cmd, r -> {
                if (!(r instanceof Wire.Err)) {
                    wal.applied(cmd); // a recorded write logs its recorded batches
                }
                return wrongType(r);
            });
        };
    }

    /** POLLUPDATES sequence [MAX n] [FORMAT RAW], answered from the recorded write-ahead log. */
    private Step pollUpdates(List<byte[]> cmd) {
        int max = 16;
        for (int i = 2; i + 1 < cmd.size(); i += 2) {
            if (arg(cmd, i).equals("MAX")) {
                max = Integer.parseInt(arg(cmd, i + 1));
            } else if (!(arg(cmd, i).equals("FORMAT") && arg(cmd, i + 1).equals("RAW"))) {
                return new Answer(new Wire.Err("ERR the double plays POLLUPDATES seq MAX n FORMAT RAW only"));
            }
        }
        return new Answer(wal.poll(Long.parseLong(arg(cmd, 1)), max));
    }

    /** SCAN with tokens for cursors; MATCH of anything but a prefix is refused. */
    private Step scan(List<byte[]> cmd) {
        for (int i = 2; i + 1 < cmd.size(); i++) {
            if (arg(cmd, i).equals("MATCH") && !prefixOnly(Wire.text(cmd.get(i + 1)))) {
                return new Answer(new Wire.Err("ERR currently only key prefix matching is supported"));
            }
        }
        return Forward.of(with(cmd, 1, Long.toString(offset(Wire.text(cmd.get(1))))), r -> {
            if (!(r instanceof List<?> page)) {
                return r;
            }
            long next = Long.parseLong(Wire.text((byte[]) page.get(0)));
            return List.of(Wire.bytes(next == 0 ? "0" : cursor(next)), page.get(1));
        });
    }

    @Override
    String cursor(long offset) {
        return TOKEN_BASE.add(BigInteger.valueOf(offset)).toString();
    }

    @Override
    long offset(String cursor) {
        return cursor.equals("0") ? 0 : new BigInteger(cursor).subtract(TOKEN_BASE).longValueExact();
    }

    @Override
    Object collectionPage(String name, Object reply) {
        if (name.equals("ZSCAN") && reply instanceof List<?> page) {
            return List.of(page.get(0), scoresAtOddPlaces(page.get(1)));
        }
        return wrongType(reply);
    }

    private static boolean prefixOnly(String glob) {
        String head = glob.endsWith("*") ? glob.substring(0, glob.length() - 1) : glob;
        return head.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '\\');
    }

    private static Object scoresAtOddPlaces(Object reply) {
        if (!(reply instanceof List<?> flat)) {
            return wrongType(reply);
        }
        List<Object> out = new ArrayList<>(flat);
        for (int i = 1; i < out.size(); i += 2) {
            out.set(i, score(out.get(i)));
        }
        return out;
    }

    /** A score as Kvrocks prints it: C's %.17g ("37393.029999999999" where Redis may say "37393.03"). */
    static Object score(Object reply) {
        if (!(reply instanceof byte[] text)) {
            return wrongType(reply);
        }
        double d = Double.parseDouble(Wire.text(text).replace("inf", "Infinity"));
        if (Double.isInfinite(d)) {
            return Wire.bytes(d > 0 ? "inf" : "-inf");
        }
        if (d == 0) {
            return Wire.bytes(1 / d < 0 ? "-0" : "0");
        }
        BigDecimal v = new BigDecimal(d).round(new MathContext(17));
        int exponent = v.precision() - v.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            BigDecimal mantissa = v.movePointLeft(exponent).stripTrailingZeros();
            return Wire.bytes(mantissa.toPlainString() + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent)));
        }
        return Wire.bytes(v.stripTrailingZeros().toPlainString());
    }

    private static Object wrongType(Object reply) {
        return reply instanceof Wire.Err e && e.text().startsWith("WRONGTYPE") ? new Wire.Err("ERR Invalid argument: " + e.text()) : reply;
    }

    /** RESTORE of a payload Kvrocks cannot read names the RDB version it found in the payload's footer. */
    private static Object restoreError(List<byte[]> cmd, Object reply) {
        if (reply instanceof Wire.Err e && e.text().contains("payload version or checksum")) {
            byte[] p = cmd.get(3);
            int version = p.length >= 10 ? (p[p.length - 10] & 0xff) | (p[p.length - 9] & 0xff) << 8 : 0;
            return new Wire.Err("ERR invalid or unsupported rdb version: " + version);
        }
        return wrongType(reply);
    }
}
