package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.keyferry.testing.Values;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A small stream is written whole (XADD of every entry) only into an absent key. Replayed, the batch may find part of
 * it written by the run that stopped: the stream then goes chunk by chunk, after the target's last ID, as a list goes
 * after what was appended.
 */
class StreamReplayTest {

    @Test
    void aReplayedStreamResumesAfterWhatTheInterruptedRunAdded() {
        // A target without DUMP/RESTORE: the type-native copy, where streams are written entry by entry.
        try (CopyFixture c = new CopyFixture(List.of("--rename-command", "RESTORE", ""))) {
            for (int e = 1; e <= 3; e++) {
                c.source.redis().xadd("s", new XAddArgs().id(e + "-1"), Map.of("f", "v" + e));
            }
            c.source.redis().xgroupCreate(StreamOffset.from("s", "2-1"), "g");
            List<Decision> decisions = c.copier.decide(StringReadTest.pairs("s")).decisions();
            assertFalse(decisions.get(0).chunked() || decisions.get(0).dump(), "decided whole: " + decisions.get(0));
            c.target.redis().xadd("s", new XAddArgs().id("1-1"), Map.of("f", "v1")); // the stopped run's first write

            Counters written = c.copier.execute(decisions, true, new ArrayList<>());

            assertEquals(1, written.keysWritten());
            assertEquals(Values.of(c.source.redis(), "s"), Values.of(c.target.redis(), "s"));
        }
    }
}
