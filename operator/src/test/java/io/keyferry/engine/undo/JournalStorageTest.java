package io.keyferry.engine.undo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's pieces without a server: the file's torn tail, the record codec, the set of recorded keys. */
class JournalStorageTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSegmentCutShortByAKillIsDroppedAndTheJournalGoesOn() throws Exception {
        Path dir = Files.createTempDirectory("undo-journal-");
        try (FileSegmentStore store = new FileSegmentStore(dir)) {
            store.append(b("one"));
            store.append(b("two"));
        }
        // A kill in the middle of the third append: its header and part of its bytes.
        Files.write(dir.resolve("undo.journal"), new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 't', 'h'},
                StandardOpenOption.APPEND);
        try (FileSegmentStore store = new FileSegmentStore(dir)) {
            assertEquals(6, store.bytes());
            store.append(b("three"));
            List<String> read = new ArrayList<>();
            store.forEach(s -> read.add(new String(s, StandardCharsets.UTF_8)));
            assertEquals(List.of("one", "two", "three"), read);
        }
    }

    @Test
    void recordsSurviveTheirCodec() {
        List<PriorState> states = List.of(PriorState.absent(b("a")), PriorState.dump(b("d"), 1234, b("payload")),
                PriorState.chunk(b("l"), DataType.LIST, -1, true, false, 0, List.of(b("x"), b("y"))),
                PriorState.chunk(b("l"), DataType.LIST, -1, false, true, 2, List.of(b("z"))));
        List<PriorState> back = PriorState.decode(PriorState.encode(states));
        assertEquals(4, back.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(states.get(i).kind(), back.get(i).kind());
            assertArrayEquals(states.get(i).key(), back.get(i).key());
            assertEquals(states.get(i).type(), back.get(i).type());
            assertEquals(states.get(i).expireAt(), back.get(i).expireAt());
            assertEquals(states.get(i).first(), back.get(i).first());
            assertEquals(states.get(i).last(), back.get(i).last());
            assertEquals(states.get(i).offset(), back.get(i).offset());
            assertEquals(states.get(i).items().size(), back.get(i).items().size());
        }
        assertArrayEquals(b("payload"), back.get(1).items().get(0));
    }

    @Test
    void theKeySetHoldsEveryKeyItWasGivenAndNoOther() {
        KeySet set = new KeySet();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(set.add(b("key:" + i)));
        }
        assertFalse(set.add(b("key:7")));
        assertEquals(100_000, set.size());
        for (int i = 0; i < 100_000; i++) {
            assertTrue(set.contains(b("key:" + i)));
            assertFalse(set.contains(b("other:" + i)));
        }
    }
}
