package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A keyspace of many small streams (an event log per user) between stores that cannot exchange DUMP payloads: each
 * stream travels whole in the batch's pipelines with its last ID and groups, not in round trips of its own.
 */
class SmallStreamsTest {
    private static final int STREAMS = 200;

    @Test
    void smallStreamsTravelWholeWithTheirGroupsLastIdsAndExpiries() {
        try (RedisServer source = RedisServer.withoutDumpRestore(); RedisServer target = RedisServer.withoutDumpRestore()) {
            List<String> keys = fill(source.redis());
            source.redis().configResetstat();
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);

            CopyResult result = Copies.run(spec);

            // The chunked copy asks the target where each stream ends (XINFO STREAM) before and after it: only the big one.
            assertEquals(1, target.calls("xinfo|stream"), "XINFO STREAM on the target: the big stream's only");
            assertEquals(keys.size(), source.calls("xinfo|stream"), "one XINFO STREAM a stream, read with its entries");
            RedisCommands<String, String> s = source.redis();
            RedisCommands<String, String> t = target.redis();
            assertEquals(keys.size(), result.total().get(DataType.STREAM, Outcome.WRITTEN));
            assertAll(keys.stream().map(k -> () -> {
                assertEquals(Values.of(s, k), Values.of(t, k), k);
                assertEquals(lastId(s, k), lastId(t, k), k + ": the last generated ID");
                assertEquals(s.pttl(k) < 0, t.pttl(k) < 0, k + ": an expiry on both sides or on neither");
            }));

            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
            assertEquals(keys.size(), verified.keysChecked());
        }
    }

    @Test
    void verificationComparesTheGroupsOfSmallStreams() {
        try (RedisServer source = RedisServer.withoutDumpRestore(); RedisServer target = RedisServer.withoutDumpRestore()) {
            fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            Copies.run(spec);
            RedisCommands<String, String> t = target.redis();
            t.xgroupSetid(StreamOffset.from("events:0", "0-0"), "g1"); // behind the source's
            t.xgroupDestroy("events:4", "g2");

            VerifyResult verified = Copies.verify(spec, false);

            assertEquals(2, verified.mismatches(), verified.toString());
            assertTrue(verified.samples().stream().allMatch(x -> x.reason().contains("consumer groups differ")), verified.toString());
        }
    }

    /** Small streams, some with groups, an expiry, or entries removed from their end; an empty one; a big one. */
    private static List<String> fill(RedisCommands<String, String> r) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            String k = "events:" + i;
            for (int e = 1; e <= 3; e++) {
                r.xadd(k, new XAddArgs().id(e + "-" + i), Map.of("type", "click", "n", Integer.toString(e)));
            }
            if (i % 4 == 0) {
                r.xgroupCreate(StreamOffset.from(k, "1-" + i), "g1");
                r.xgroupCreate(StreamOffset.from(k, "0-0"), "g2");
            }
            if (i % 5 == 0) {
                r.xdel(k, "3-" + i); // its last ID stays 3-i, past its last entry
            }
            if (i % 7 == 0) {
                r.pexpire(k, 600_000);
            }
            keys.add(k);
        }
        r.xadd("emptied", new XAddArgs().id("5-5"), Map.of("f", "v"));
        r.xgroupCreate(StreamOffset.from("emptied", "5-5"), "readers");
        r.xdel("emptied", "5-5"); // no entries, a group, a last ID
        keys.add("emptied");
        for (int e = 1; e <= 4100; e++) { // past the 4,096 entries copied whole
            r.xadd("big", new XAddArgs().id(e + "-0"), Map.of("f", "v" + e));
        }
        r.xgroupCreate(StreamOffset.from("big", "300-0"), "g", XGroupCreateArgs.Builder.mkstream());
        keys.add("big");
        return keys;
    }

    private static Object lastId(RedisCommands<String, String> r, String key) {
        List<Object> info = r.xinfoStream(key);
        return info.get(info.indexOf("last-generated-id") + 1);
    }
}
