package io.keyferry.engine.probe;

import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds out what an endpoint is and what it supports, without writing anything: every check is a
 * read, or a command on a key that cannot exist and fails before it would write.
 */
public final class Prober {
    private static final byte[] PROBE_KEY = "keyferry:probe:never-exists:6f1c2e".getBytes(StandardCharsets.UTF_8);

    public ServerProfile probe(RedisLink link) {
        try {
            Map<String, String> info = parseInfo(link.call(link.async().info()));
            ServerKind kind = ServerKind.fromInfo(info);
            String version = switch (kind) {
                case KVROCKS -> info.get("kvrocks_version");
                case PIKA -> info.get("pika_version");
                default -> info.getOrDefault("redis_version", "?");
            };
            boolean cluster = "1".equals(info.get("cluster_enabled"));
            boolean dumpRestore = kind != ServerKind.PIKA && supportsDump(link) && supportsRestore(link);
            RedisLink node = link.shards().get(0).link(); // a cluster's own SCAN cursor is Lettuce's, not the server's
            KeyScanCursor<byte[]> scan = node.call(node.async().scan(ScanCursor.INITIAL, ScanArgs.Builder.limit(1)));
            boolean numericCursor = scan.getCursor().chars().allMatch(Character::isDigit);
            long dbsize = link.call(link.async().dbsize());
            return new ServerProfile(kind, version, info.getOrDefault("run_id", ""), cluster, dumpRestore,
                    numericCursor, kind == ServerKind.PIKA, kind == ServerKind.KVROCKS,
                    kind != ServerKind.PIKA, kind != ServerKind.PIKA, kind != ServerKind.PIKA,
                    kind == ServerKind.KVROCKS || (kind == ServerKind.REDIS && atLeast(version, 6, 2)),
                    maxBulk(link), dbsize);
        } catch (RedisCommandExecutionException e) {
            throw new MigrationInputException(link.label() + " answered the probe with an error: " + e.getMessage()
                    + "; check that the user may run INFO, SCAN, DBSIZE, TYPE and PTTL", e);
        }
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
        try {
            link.call(link.async().dump(PROBE_KEY));
            return true;
        } catch (RedisCommandExecutionException e) {
            return false;
        }
    }

    /** RESTORE of a garbage payload is refused for its payload where RESTORE exists, and writes nothing. */
    private static boolean supportsRestore(RedisLink link) {
        try {
            link.call(link.async().restore(PROBE_KEY, new byte[] {0}, RestoreArgs.Builder.ttl(1)));
            return true; // cannot happen for a one-byte payload; a store that accepts it would need a look
        } catch (RedisCommandExecutionException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            return m.contains("payload") || m.contains("checksum") || m.contains("version");
        }
    }

    private static long maxBulk(RedisLink link) {
        try {
            Map<String, String> conf = link.call(link.async().configGet("proto-max-bulk-len"));
            String v = conf.get("proto-max-bulk-len");
            return v == null ? 512L << 20 : Long.parseLong(v);
        } catch (RuntimeException e) {
            return 512L << 20; // CONFIG may be renamed or denied; Redis' default
        }
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
