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

/**
 * The batch in flight survives a save and a load exactly; a state saved in an older form (format 1, or JSON objects)
 * still loads; a damaged one is refused without allocating what it claims.
 */
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

    /** DECISIONS as format 1 (fixed-width numbers) saved them, before format 2. */
    private static final String FORMAT_1 = "AQYGU1RSSU5HBEhBU0gETElTVANTRVQEWlNFVAZTVFJFQU0FBENPUFkHUkVQTEFDRQVNRVJHRQRGSUxMBE5PTkUJB1dSSVRU"
            + "RU4LT1ZFUldSSVRURU4GTUVSR0VEBkZJTExFRAdTS0lQUEVEFVRZUEVfTUlTTUFUQ0hfU0tJUFBFRBlUWVBFX01JU01BVENI"
            + "X09WRVJXUklUVEVOC1VOU1VQUE9SVEVEB0VYUElSRUQAAAAFAAAABnVzZXI6Mf////8BAAAAAAABoxhcUAD//////////wAA"
            + "AAAAAAAMAAAAAAAAAAACAAAAAXEAAAAIcGlrYS0wOnECAAIC//////////8AAAGLz+VoewAAAAAAAV+QAAAAAAAAABEBAAAA"
            + "AwD/Cv////8FAQAAAAdzdHJlYW1zAQb/////////////////////AAAAAAAAAAMAAAAAAAAAAAEAAAAGanNvbjox//////8B"
            + "AAAACVJlSlNPTi1STAQH/////////////////////wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAF4BAADAwAAAAAAAAAFAAAA"
            + "AAAAAAYAAAAAAAAABwAAAAAAAAAIAA==";

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

    @Test
    void aBatchSavedInFormat1StillLoadsAndFormat2IsSmaller() throws Exception {
        assertSame(DECISIONS, DecisionCodec.decode(FORMAT_1));
        String json = Checkpoint.JSON.writeValueAsString(withInflight(List.of()))
                .replace("\"decisions\":\"" + DecisionCodec.encode(List.of()) + "\"", "\"decisions\":\"" + FORMAT_1 + "\"");
        assertSame(DECISIONS, Checkpoint.JSON.readValue(json, Checkpoint.class).inflight.decisions);
        // Past the enum names both formats start with, a decision takes about half the bytes.
        int names = DecisionCodec.bytes(List.of()).length - 1; // the version and the name tables (then a count of 0)
        int format1 = java.util.Base64.getDecoder().decode(FORMAT_1).length - names - 4; // a count of 4 bytes
        int format2 = DecisionCodec.bytes(DECISIONS).length - names - 1; // a count of 1
        assertTrue(format2 * 2 <= format1 + 10, "format 2: " + format2 + " bytes, format 1: " + format1);
    }

    @Test
    void aDamagedLengthIsRefusedWithoutAllocatingIt() {
        byte[] ok = DecisionCodec.bytes(List.of(DECISIONS.get(0)));
        int names = DecisionCodec.bytes(List.of()).length - 1;
        byte[] damaged = java.util.Arrays.copyOf(ok, names + 6);
        // the count (1), then a key length of 2^31 - 1 as a varint, in a record of a few bytes
        damaged[names] = 1;
        damaged[names + 1] = (byte) 0xff;
        damaged[names + 2] = (byte) 0xff;
        damaged[names + 3] = (byte) 0xff;
        damaged[names + 4] = (byte) 0xff;
        damaged[names + 5] = 0x07;
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> DecisionCodec.decode(java.util.Base64.getEncoder().encodeToString(damaged)));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("2147483647"), e.getMessage());
    }
}
