package io.keyferry.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A source's counts stay a readable map in the state file, load back exactly, and older files still load. */
class CountersCodecTest {
    @Test
    void countsAreSavedAsNamedNumbersAndLoadBack() throws Exception {
        Checkpoint cp = new Checkpoint();
        Checkpoint.SourceState state = new Checkpoint.SourceState();
        state.name = "pika-0";
        state.counters.add(DataType.HASH, Outcome.MERGED);
        state.counters.add(DataType.HASH, Outcome.MERGED);
        state.counters.add(null, Outcome.UNSUPPORTED);
        state.counters.addBytes(123);
        cp.sources.add(state);

        String json = Checkpoint.JSON.writeValueAsString(cp);
        JsonNode counters = Checkpoint.JSON.readTree(json).at("/sources/0/counters");
        assertEquals(Map.of("hash.merged", 2L, "other.unsupported", 1L, "bytes", 123L),
                Checkpoint.JSON.convertValue(counters, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() {}));

        Counters back = Checkpoint.JSON.readValue(json, Checkpoint.class).sources.get(0).counters;
        assertEquals(state.counters.toMap(), back.toMap());
        assertEquals(2, back.get(DataType.HASH, Outcome.MERGED));
        assertEquals(123, back.bytes());
    }

    @Test
    void aStateWithoutCountsLoadsWithNone() throws Exception {
        Checkpoint cp = Checkpoint.JSON.readValue("{\"sources\":[{\"name\":\"a\",\"counters\":null},{\"name\":\"b\"}]}", Checkpoint.class);
        assertEquals(0, cp.sources.get(0).counters.keys());
        assertEquals(0, cp.sources.get(1).counters.keys());
    }
}
