package io.keyferry.engine.probe;

import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.NotResp;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds out what an endpoint is and what it supports, without writing anything: every check is a
 * read, or a command on a key that cannot exist and fails before it would write.
 */
public final class Prober {
    private static final String PROBE = "keyferry:probe:never-exists:6f1c2e";
    private static final byte[] PROBE_KEY = PROBE.getBytes(StandardCharsets.UTF_8);

    public ServerProfile probe(RedisLink link) {
        try {
            Map<String, String> info = parseInfo(text(link, first(link)));
            ServerKind kind = ServerKind.fromInfo(info);
            String version = switch (kind) {
                case KVROCKS -> info.get("kvrocks_version");
                case PIKA -> info.get("pika_version");
                default -> info.getOrDefault("redis_version", "?");
            };
            boolean cluster = "1".equals(info.get("cluster_enabled"));
            boolean dumpRestore = kind != ServerKind.PIKA && supportsDump(link) && supportsRestore(link);
            List<RedisLink.Shard> shards = link.shards(); // a cluster's masters, each on its own connection
            RedisLink first = shards.get(0).link();
            List<Object> scan = Resp.array(ask(first, "SCAN", "0", "COUNT", "1"), first.label(), null);
            boolean numericCursor = Resp.text(scan.get(0), first.label(), null).chars().allMatch(Character::isDigit);
            long dbsize = 0;
            for (RedisLink.Shard shard : shards) {
                dbsize += Resp.integer(ask(shard.link(), "DBSIZE"), shard.link().label(), null);
            }
            return new ServerProfile(kind, version, info.getOrDefault("run_id", ""), cluster, dumpRestore,
                    numericCursor, kind == ServerKind.PIKA, kind == ServerKind.KVROCKS, commands(first, kind, version),
                    maxBulk(link), dbsize, replicaOf(info));
        } catch (Resp.ReplyError e) {
            if (e.error().message().startsWith("NOAUTH")) {
                throw new MigrationInputException(link.label() + " asks for a password (" + e.error().message()
                        + "); give the endpoint's passwordSecretRef, and usernameSecretRef for an ACL user", e);
            }
            throw new MigrationInputException(link.label() + " answered the probe with an error: " + e.getMessage()
                    + "; check that the user may run INFO, SCAN, DBSIZE, TYPE and PTTL", e);
        }
    }

    /**
     * INFO, the first command an endpoint gets: where its answer is not RESP at all (an HTTP server, a TLS port asked
     * in plain text), the endpoint is named as no Redis-protocol server, as bad input, not as a lost connection.
     */
    private static Object first(RedisLink link) {
        try {
            return ask(link, "INFO");
        } catch (IllegalStateException e) {
            NotResp notResp = Endpoints.cause(e, NotResp.class);
            if (notResp != null) {
                int b = notResp.firstByte();
                String looks = b == 'H' || b == '<' ? " (it looks like an HTTP server)"
                        : b == 0x15 || b == 0x16 ? " (it answers in TLS: use rediss://)" : "";
                throw new MigrationInputException(link.label() + " does not answer in the Redis protocol: "
                        + notResp.getMessage() + looks + "; check the address and port", e);
            }
            boolean plain = !link.label().contains("rediss://"); // the label names the endpoint's URI
            throw plain && Endpoints.causedBy(e, java.io.IOException.class) ? new IllegalStateException(e.getMessage()
                    + ", at the first command it got (a port that speaks TLS drops plain text: there, use rediss://)", e) : e;
        }
    }

    /**
     * The primary a replica follows ("host:port", as INFO replication names it; "?" where it does not), or null for a
     * primary. Redis, Kvrocks and Pika all say role:slave (recorded in shared/peers).
     */
    static String replicaOf(Map<String, String> info) {
        if (!"slave".equals(info.get("role"))) {
            return null;
        }
        String host = info.get("master_host");
        return host == null ? "?" : host + ":" + info.getOrDefault("master_port", "?");
    }

    /**
     * What the store's commands allow. HSET arity, ZADD flags and UNLINK follow from the kind (Pika lacks them);
     * the rest is asked, each with a read, or a command on a key that cannot exist that writes nothing. Never
     * XINFO GROUPS: Pika 4.0 has no XGROUP, and leaves XINFO GROUPS unanswered (recorded).
     */
    private static Commands commands(RedisLink link, ServerKind kind, String version) {
        boolean pika = kind == ServerKind.PIKA;
        boolean multiLookup = kind == ServerKind.KVROCKS || (kind == ServerKind.REDIS && atLeast(version, 6, 2));
        boolean streams = known(ask(link, "XLEN", PROBE));
        boolean watch = known(ask(link, "WATCH", PROBE));
        if (watch) {
            ask(link, "UNWATCH");
        }
        Object pttl = ask(link, "PTTL", PROBE);
        return new Commands(!pika, !pika, !pika, multiLookup, multiLookup && kind != ServerKind.KVROCKS,
                streams, streams && !pika && known(ask(link, "XGROUP", "HELP")),
                known(ask(link, "XSETID", PROBE, "0-1")), known(ask(link, "EVAL", "return 1", "0")), watch,
                pttl instanceof Long ms ? ms : -2,
                pika ? Commands.PIKA_PIPELINE_COMMANDS : 0, pika ? Commands.PIKA_PIPELINE_BYTES : 0,
                kind == ServerKind.KVROCKS && readsWal(link));
    }

    /**
     * Whether POLLUPDATES reads the write-ahead log: asked for what follows the latest sequence (INFO replication's
     * master_repl_offset), it answers a map of at most one batch where it may; an error where it is unknown (before
     * Kvrocks 2.10) or the user is not the admin.
     */
    private static boolean readsWal(RedisLink link) {
        Map<String, String> replication = parseInfo(text(link, ask(link, "INFO", "replication")));
        String latest = replication.get("master_repl_offset");
        return latest != null && latest.chars().allMatch(Character::isDigit)
                && ask(link, "POLLUPDATES", latest, "MAX", "1", "FORMAT", "RAW") instanceof List<?>;
    }

    /** Whether the store knows the command: any reply but an "unknown command" error (an ACL denial included). */
    private static boolean known(Object reply) {
        return !(reply instanceof Resp.Error e && e.message().toLowerCase(java.util.Locale.ROOT).contains("unknown command"));
    }

    /** One command over the link's pipe; its reply as it came, an error reply included. */
    static Object ask(RedisLink link, String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return Resp.call(link.pipe(), bytes);
    }

    static String text(RedisLink link, Object reply) {
        return Resp.text(reply, link.label(), null);
    }

    static boolean atLeast(String version, int major, int minor) {
        String[] parts = version.split("\\.");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** DUMP of a missing key answers nil where DUMP exists, an error where it was renamed away. */
    private static boolean supportsDump(RedisLink link) {
        return !(Resp.call(link.pipe(), Cmd.DUMP, PROBE_KEY) instanceof Resp.Error);
    }

    /** RESTORE of a garbage payload is refused for its payload where RESTORE exists, and writes nothing. */
    private static boolean supportsRestore(RedisLink link) {
        Object reply = Resp.call(link.pipe(), Cmd.RESTORE, PROBE_KEY, Resp.ascii("1"), new byte[] {0});
        if (!(reply instanceof Resp.Error e)) {
            return true; // cannot happen for a one-byte payload; a store that accepts it would need a look
        }
        String m = e.message().toLowerCase(java.util.Locale.ROOT);
        return m.contains("payload") || m.contains("checksum") || m.contains("version");
    }

    private static long maxBulk(RedisLink link) {
        if (ask(link, "CONFIG", "GET", "proto-max-bulk-len") instanceof List<?> pair && pair.size() == 2
                && pair.get(1) instanceof byte[] v) {
            try {
                return Long.parseLong(new String(v, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return 512L << 20;
            }
        }
        return 512L << 20; // CONFIG may be renamed or denied; Redis' default
    }

    static Map<String, String> parseInfo(String info) {
        Map<String, String> m = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int i = line.indexOf(':');
            if (i > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, i), line.substring(i + 1).trim());
            }
        }
        return m;
    }
}
