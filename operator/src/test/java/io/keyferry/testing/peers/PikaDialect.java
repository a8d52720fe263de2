package io.keyferry.testing.peers;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pika 4.0.1 as recorded (shared/peers/pika.jsonl): no DUMP, RESTORE, EVAL, SMISMEMBER, ZMSCORE, XGROUP or
 * XSETID (and, by the design notes, no MIGRATE or RENAME); HSET of one pair only; no ZADD flags and no SET
 * KEEPTTL/GET; TYPE calls a stream "streams"; PTTL and TTL of a key that never was answer 0; PEXPIREAT removes
 * the key; XINFO STREAM without entries; XINFO GROUPS never answers.
 */
final class PikaDialect extends RecordedDialect {
    private static final Set<String> ZADD_FLAGS = Set.of("NX", "XX", "GT", "LT", "CH", "INCR");
    /** XINFO STREAM without radix-tree figures, groups, or first and last entries. */
    private static final Set<String> STREAM_FIELDS = Set.of("length", "last-generated-id", "max-deleted-entry-id",
            "entries-added", "recorded-first-entry-id");
    private static final Set<String> CLIENT_SUBCOMMANDS = Set.of("SETNAME", "GETNAME", "LIST", "KILL");
    private static final Wire.Err SYNTAX = new Wire.Err("ERR syntax error");

    /** Keys PEXPIREAT removed: their PTTL answers -2, where a key that never was answers 0. */
    private final Set<ByteBuffer> expired = ConcurrentHashMap.newKeySet();

    PikaDialect() {
        super("pika", Set.of("MIGRATE", "RENAME", "RENAMENX", "EVALSHA", "SCRIPT", "FUNCTION"));
    }

    @Override
    String unknownCommand(List<byte[]> cmd) {
        return "ERR unknown command \"" + Wire.text(cmd.get(0)).toLowerCase(Locale.ROOT) + "\"";
    }

    /** Pika's collection cursors count the elements handed out so far (recorded: "500" after 500). */
    @Override
    String cursor(long offset) {
        return Long.toString(offset);
    }

    @Override
    long offset(String cursor) {
        return Long.parseLong(cursor);
    }

    @Override
    Step data(String name, List<byte[]> cmd) {
        return switch (name) {
            case "HSET" -> cmd.size() > 4 ? new Answer(new Wire.Err("ERR wrong number of arguments for 'hset' command"))
                    : Forward.as(cmd);
            case "ZADD" -> zadd(cmd);
            case "SET" -> cmd.stream().skip(3).map(a -> Wire.text(a).toUpperCase(Locale.ROOT))
                    .anyMatch(a -> a.equals("KEEPTTL") || a.equals("GET")) ? new Answer(SYNTAX) : Forward.as(cmd);
            case "TYPE" -> Forward.of(cmd, r -> r instanceof Wire.Simple s && s.text().equals("stream")
                    ? new Wire.Simple("streams") : r);
            case "PTTL", "TTL" -> Forward.of(cmd, r -> ttl(cmd.get(1), r));
            case "PEXPIREAT" -> Forward.of(List.of(Wire.bytes("DEL"), cmd.get(1)), r -> {
                expired.add(ByteBuffer.wrap(cmd.get(1)));
                return r;
            });
            case "XINFO" -> arg(cmd, 1).equals("STREAM") ? Forward.of(cmd, r -> fields(r, STREAM_FIELDS)) : Hang.INSTANCE;
            case "CLIENT" -> CLIENT_SUBCOMMANDS.contains(arg(cmd, 1)) ? Forward.as(cmd) : new Answer(new Wire.Err(
                    "ERR Syntax error, try CLIENT (LIST [order by [addr|idle]| KILL ip:port)"));
            default -> Forward.as(cmd);
        };
    }

    private Object ttl(byte[] key, Object reply) {
        if (!Long.valueOf(-2).equals(reply)) {
            expired.remove(ByteBuffer.wrap(key));
            return reply;
        }
        return expired.contains(ByteBuffer.wrap(key)) ? reply : 0L;
    }

    /**
     * No flags. A member given the score -inf is counted as added but not kept (recorded: ZADD z:2 inf x -inf y
     * answered 2, and ZRANGE then showed x alone).
     */
    private static Step zadd(List<byte[]> cmd) {
        for (int i = 2; i < cmd.size(); i++) {
            if (ZADD_FLAGS.contains(Wire.text(cmd.get(i)).toUpperCase(Locale.ROOT))) {
                return new Answer(SYNTAX);
            }
        }
        List<byte[]> kept = new ArrayList<>(cmd.subList(0, 2));
        long dropped = 0;
        for (int i = 2; i + 1 < cmd.size(); i += 2) {
            if (Wire.text(cmd.get(i)).equalsIgnoreCase("-inf")) {
                dropped++;
            } else {
                kept.add(cmd.get(i));
                kept.add(cmd.get(i + 1));
            }
        }
        if (kept.size() == 2) {
            return new Answer(dropped);
        }
        long extra = dropped;
        return Forward.of(kept, r -> r instanceof Long n ? n + extra : r);
    }
}
