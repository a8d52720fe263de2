package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The write batches a real Kvrocks (unstable of 2024-10-24) answered POLLUPDATES with, after each write of a script
 * (src/test/resources/peers/kvrocks.jsonl, step "pollupdates"): each decodes to exactly the keys that write changed,
 * as the same command replicated by Redis names them, and the sequences chain from one reply to the next.
 */
class KvrocksWalTest {
    private static final KvrocksKeys KEYS = new KvrocksKeys(KvrocksKeys.DEFAULT_NAMESPACE, false);

    /** A recorded write, the sequence POLLUPDATES was asked from, and what it answered. */
    record Polled(List<String> write, long next, List<byte[]> batches) {}

    @Test
    void everyRecordedWriteDecodesToTheKeysItChanged() throws Exception {
        List<Polled> polls = recorded();
        assertEquals(19, polls.size(), "the first poll and the recording's 18 writes");
        int batches = 0;
        for (Polled p : polls.subList(1, polls.size())) {
            ChangedKeys.Effect expected = ChangedKeys.of(new Change(0, 0, args(p.write())), 0);
            List<String> keys = new ArrayList<>();
            ChangedKeys.Effect decoded = null;
            for (byte[] b : p.batches()) {
                decoded = KEYS.of(WriteBatchReader.read(b));
                batches++;
                if (decoded instanceof ChangedKeys.Keys k) {
                    k.keys().forEach(key -> keys.add(new String(key, StandardCharsets.UTF_8)));
                }
            }
            if (expected instanceof ChangedKeys.Unmirrorable) {
                assertInstanceOf(ChangedKeys.Unmirrorable.class, decoded, "" + p.write());
            } else {
                List<byte[]> named = expected instanceof ChangedKeys.Keys k ? k.keys()
                        : expected instanceof ChangedKeys.Push push ? List.of(push.key()) : List.of();
                List<String> want = named.stream().map(key -> new String(key, StandardCharsets.UTF_8)).toList();
                assertEquals(want, keys, "" + p.write());
            }
        }
        assertEquals(16, batches, "one batch per write that wrote (the two SELECTs wrote none)");
    }

    @Test
    void aBatchOfAHundredHashFieldsNamesItsKeyOnce() throws Exception {
        Polled first = recorded().get(0);
        WriteBatchReader.Batch b = WriteBatchReader.read(first.batches().get(0));
        assertEquals(1, b.sequence());
        assertEquals(101, b.count());
        assertEquals(first.next(), b.lastSequence(), "next_sequence is the batch's last sequence");
        ChangedKeys.Keys keys = assertInstanceOf(ChangedKeys.Keys.class, KEYS.of(b));
        assertEquals(List.of("bh"), keys.keys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList());
    }

    @Test
    void sequencesChainFromEachReplyToTheNext() throws Exception {
        List<Polled> polls = recorded();
        for (int i = 2; i < polls.size(); i++) {
            Polled p = polls.get(i);
            if (p.batches().isEmpty()) {
                assertEquals(polls.get(i - 1).next(), p.next(), "nothing new: " + p.write());
                continue;
            }
            WriteBatchReader.Batch first = WriteBatchReader.read(p.batches().get(0));
            WriteBatchReader.Batch last = WriteBatchReader.read(p.batches().get(p.batches().size() - 1));
            assertEquals(polls.get(i - 1).next() + 1, first.sequence(), "" + p.write());
            assertEquals(p.next(), last.lastSequence(), "" + p.write());
        }
    }

    @Test
    void otherNamespacesAndTheirFlushesAreNotTheFollowedOnes() throws Exception {
        KvrocksKeys other = new KvrocksKeys("tenant", false);
        for (Polled p : recorded()) {
            for (byte[] b : p.batches()) {
                assertInstanceOf(ChangedKeys.Nothing.class, other.of(WriteBatchReader.read(b)), "" + p.write());
            }
        }
    }

    @Test
    void aTruncatedBatchIsRefusedSayingWhere() throws Exception {
        byte[] b = recorded().get(1).batches().get(0);
        byte[] cut = java.util.Arrays.copyOf(b, b.length - 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WriteBatchReader.read(cut));
        assertTrue(e.getMessage().contains("claims"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WriteBatchReader.read(new byte[5]));
    }

    static List<Polled> recorded() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Polled> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                KvrocksWalTest.class.getResourceAsStream("/peers/kvrocks.jsonl"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode row = json.readTree(line);
                if (!row.get("step").asText().equals("pollupdates")) {
                    continue;
                }
                List<String> write = new ArrayList<>();
                if (row.has("write")) {
                    row.get("write").forEach(a -> write.add(a.asText()));
                }
                JsonNode flat = row.get("reply").get("v");
                long next = 0;
                List<byte[]> batches = new ArrayList<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    String name = flat.get(i).get("v").asText();
                    if (name.equals("next_sequence")) {
                        next = flat.get(i + 1).get("v").asLong();
                    } else if (name.equals("updates")) {
                        flat.get(i + 1).get("v").forEach(u -> batches.add(HexFormat.of().parseHex(u.get("v").asText())));
                    }
                }
                out.add(new Polled(write, next, batches));
            }
        }
        return out;
    }

    private static byte[][] args(List<String> write) {
        return write.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }
}
