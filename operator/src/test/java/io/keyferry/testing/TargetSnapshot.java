package io.keyferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every key of a server (its DEBUG DIGEST-VALUE and PTTL), taken at one instant, to tell whether the server is later
 * exactly as it was: the same keys with the same values, and expiries that only came nearer by the time passed.
 * The server must answer DEBUG ({@link RedisServer#withDebugCommand()}).
 */
public record TargetSnapshot(Map<String, String> digests, Map<String, Long> pttls, long dbsize, long takenAt) {
    public static TargetSnapshot of(RedisServer server) {
        RedisCommands<String, String> r = server.redis();
        long takenAt = System.currentTimeMillis();
        Map<String, String> digests = new TreeMap<>();
        Map<String, Long> pttls = new TreeMap<>();
        KeyScanCursor<String> cursor = r.scan(ScanArgs.Builder.limit(1000));
        while (true) {
            for (String key : cursor.getKeys()) {
                digests.put(key, digest(r, key));
                pttls.put(key, r.pttl(key));
            }
            if (cursor.isFinished()) {
                break;
            }
            cursor = r.scan(cursor, ScanArgs.Builder.limit(1000));
        }
        return new TargetSnapshot(digests, pttls, r.dbsize(), takenAt);
    }

    private static String digest(RedisCommands<String, String> r, String key) {
        return r.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("DIGEST-VALUE").addKey(key));
    }

    /** Keys whose value differs between the two, or that only one has. */
    public long changedIn(TargetSnapshot later) {
        long changed = 0;
        for (String k : digests.keySet()) {
            changed += digests.get(k).equals(later.digests.get(k)) ? 0 : 1;
        }
        for (String k : later.digests.keySet()) {
            changed += digests.containsKey(k) ? 0 : 1;
        }
        return changed;
    }

    /**
     * Asserts {@code later} holds exactly these keys and values, each expiry the same but for the time passed between
     * the two (and {@code slackMs} more, for a store that keeps whole seconds).
     */
    public void assertRestoredIn(TargetSnapshot later, long slackMs, String what) {
        assertEquals(dbsize, later.dbsize, what + ": DBSIZE");
        assertEquals(digests.keySet(), later.digests.keySet(), what + ": the same keys");
        long passed = later.takenAt - takenAt;
        for (String k : digests.keySet()) {
            assertEquals(digests.get(k), later.digests.get(k), what + ": the value of " + k);
            long before = pttls.get(k);
            long after = later.pttls.get(k);
            if (before < 0) {
                assertEquals(before, after, what + ": " + k + " had no expiry");
            } else {
                assertTrue(after > 0 && after <= before + slackMs && after >= before - passed - 1000,
                        what + ": the expiry of " + k + " was " + before + " ms away, now " + after + " ms after " + passed + " ms");
            }
        }
    }
}
