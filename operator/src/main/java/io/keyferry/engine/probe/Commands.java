package io.keyferry.engine.probe;

/**
 * What a store's command surface allows, as the probe found it (each answer of real Kvrocks and Pika servers is
 * recorded in src/test/resources/peers and played by the tests' store doubles).
 *
 * @param multiFieldHset  HSET takes several pairs (Pika's takes one: HMSET then)
 * @param zaddNx          ZADD takes NX (Pika's takes no flags)
 * @param unlink          UNLINK exists
 * @param smismember      SMISMEMBER answers one flag per member (Redis 6.2+, Kvrocks)
 * @param zmscore         ZMSCORE answers one score per member as a bulk string (Redis 6.2+; Kvrocks sends each
 *                        score as RESP inside a bulk string, "$18\r\n37393.029999999999\r\n", so not there)
 * @param streams         the store keeps streams (XLEN answers)
 * @param consumerGroups  streams have consumer groups (XGROUP exists); where not, XINFO GROUPS is never sent:
 *                        Pika 4.0 never answers it and may stop answering anyone after it
 * @param xsetid          XSETID exists, to carry a stream's last generated ID
 * @param eval            EVAL runs Lua scripts
 * @param transactions    WATCH, MULTI and EXEC exist
 * @param missingKeyPttl  what PTTL answers for a key that does not exist (-2; Pika 0)
 * @param pipelineCommands most commands sent on a connection before their replies are read; 0: no bound
 * @param pipelineBytes   most command bytes sent on a connection before their replies are read; 0: no bound
 * @param walPolling      the store's write-ahead log can be read with POLLUPDATES (Kvrocks 2.10+, its admin user):
 *                        what following a Kvrocks needs
 */
public record Commands(
        boolean multiFieldHset,
        boolean zaddNx,
        boolean unlink,
        boolean smismember,
        boolean zmscore,
        boolean streams,
        boolean consumerGroups,
        boolean xsetid,
        boolean eval,
        boolean transactions,
        long missingKeyPttl,
        int pipelineCommands,
        long pipelineBytes,
        boolean walPolling) {

    /**
     * Pika with its release's config stalled a long pipelined load (about 13,000 keys of redis-cli --pipe): what
     * KeyFerry sends it is read back every this many commands or bytes.
     */
    public static final int PIKA_PIPELINE_COMMANDS = 256;
    public static final long PIKA_PIPELINE_BYTES = 512 * 1024;

    /** The differences from Redis worth printing in a plan. */
    String describe() {
        StringBuilder s = new StringBuilder();
        if (!streams) {
            s.append(", no streams");
        } else if (!consumerGroups) {
            s.append(", streams without consumer groups");
        }
        if (!transactions) {
            s.append(", no WATCH/MULTI");
        }
        if (missingKeyPttl != -2) {
            s.append(", PTTL of a missing key ").append(missingKeyPttl);
        }
        if (pipelineCommands > 0) {
            s.append(", pipelines of at most ").append(pipelineCommands).append(" commands");
        }
        return s.toString();
    }
}
