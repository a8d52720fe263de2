package io.keyferry.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Action;
import io.keyferry.engine.copy.Decision;
import io.keyferry.engine.copy.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch in flight survives a save and a load exactly, and a state saved in the older JSON form still loads. */
class DecisionCodecTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final List<Decision> DECISIONS = List.of(
            new Decision(b("user:1"), b("user:1"), DataType.HASH, "hash", Action.COPY, Outcome.WRITTEN, 1_800_000_000_000L, -1,
                    12, 0, false, true),
            new Decision(b("q"), b("pika-0:q"), DataType.LIST, "list", Action.MERGE, Outcome.MERGED, -1, 1_700_000_000_123L,
                    90_000, 17, true, false),
            new Decision(new byte[] {0, (byte) 0xff, '\n'}, new byte[] {0, (byte) 0xff, '\n'}, DataType.STREAM, "streams",
                    Action.REPLACE, Outcome.TYPE_MISMATCH_OVERWRITTEN, -1, -1, 3, 0, true, false),
            new Decision(b("json:1"), b("json:1"), null, "ReJSON-RL", Action.NONE, Outcome.UNSUPPORTED, -1, -1, 0, 0, false, false),
            new Decision(b(""), b("x"), DataType.ZSET, "zset", Action.FILL, Outcome.FILLED, 5, 6, 7, 8, false, false));

    private static void assertSame(List<Decision> want, List<Decision> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            Decision w = want.get(i);
            Decision g = got.get(i);
            assertArrayEquals(w.sourceKey(), g.sourceKey());
            assertArrayEquals(w.targetKey(), g.targetKey());
            assertEquals(List.of(String.valueOf(w.type()), w.typeName(), w.action(), w.outcome(), w.sourceExpireAt(),
                    w.targetExpireAt(), w.sourceSize(), w.targetLenBefore(), w.chunked(), w.dump()),
                    List.of(String.valueOf(g.type()), g.typeName(), g.action(), g.outcome(), g.sourceExpireAt(),
                    g.targetExpireAt(), g.sourceSize(), g.targetLenBefore(), g.chunked(), g.dump()), "decision " + i);
        }
    }

    private static Checkpoint withInflight(List<Decision> decisions) {
        Checkpoint cp = new Checkpoint();
        cp.inflight = new Checkpoint.Inflight();
        cp.inflight.source = 1;
        cp.inflight.cursorAfter = "42";
        cp.inflight.decisions = decisions;
        return cp;
    }

    @Test
    void everyFieldSurvivesASaveAndALoad() throws Exception {
        String json = Checkpoint.JSON.writeValueAsString(withInflight(DECISIONS));
        assertTrue(json.contains("\"decisions\":\""), json); // one compact string, not an array of objects
        Checkpoint back = Checkpoint.JSON.readValue(json, Checkpoint.class);
        assertEquals("42", back.inflight.cursorAfter);
        assertSame(DECISIONS, back.inflight.decisions);
    }

    @Test
    void aStateSavedAsJsonObjectsStillLoads() throws Exception {
        String old = Checkpoint.JSON.writeValueAsString(withInflight(List.of()))
                .replace("\"decisions\":\"" + DecisionCodec.encode(List.of()) + "\"",
                        "\"decisions\":" + Checkpoint.JSON.writeValueAsString(DECISIONS));
        assertTrue(old.contains("\"decisions\":[{"), old);
        assertSame(DECISIONS, Checkpoint.JSON.readValue(old, Checkpoint.class).inflight.decisions);
    }
}
