package io.keyferry.engine.probe;

/**
 * What the probe found out about one endpoint. Every copy decision that depends on the store
 * (DUMP/RESTORE, TTL precision, SCAN, the commands it has) reads it from here.
 *
 * @param runId        INFO run_id, to notice two names for one server
 * @param dumpRestore  DUMP and RESTORE are both available
 * @param numericScanCursor SCAN answers numeric cursors (Kvrocks answers opaque tokens)
 * @param ttlSeconds   TTLs are kept in whole seconds (Pika)
 * @param prefixOnlyMatch SCAN MATCH understands only "prefix*" patterns (Kvrocks)
 * @param commands     what its command surface allows
 * @param replicaOf    the primary it replicates ("host:port"), or null where it is a primary
 */
public record ServerProfile(
        ServerKind kind,
        String version,
        String runId,
        boolean cluster,
        boolean dumpRestore,
        boolean numericScanCursor,
        boolean ttlSeconds,
        boolean prefixOnlyMatch,
        Commands commands,
        long maxBulkBytes,
        long dbsize,
        String replicaOf) {

    public String describe() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + version
                + (dumpRestore ? ", DUMP/RESTORE" : ", no DUMP/RESTORE")
                + (ttlSeconds ? ", TTL in seconds" : ", TTL in ms")
                + (numericScanCursor ? "" : ", opaque SCAN cursors")
                + commands.describe()
                + ", " + dbsize + " keys";
    }
}
