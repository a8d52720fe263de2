package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A batch holds at most its room of values read whole ({@link BatchMemory}): keys each small (under 512 KiB, 512
 * elements) but many of them in a batch are read and written a roomful at a time, and every one is still copied.
 */
class BatchMemoryTest {
    private static final int ROOM = 1 << 20;
    private static final int BLOB = 200 * 1024;

    /** What a reply may hold as it is read: the first of a round a whole batch's room, the next ones what is left. */
    @Test
    void theFirstValueMayTakeAWholeBatchsRoomAndOnlyABiggerOneIsTooBigForAny() {
        BatchMemory spent = new BatchMemory(-1000); // the batch holds more than its room already (values read early)
        assertEquals(BatchMemory.BATCH_BYTES, spent.budget());
        assertEquals(BatchMemory.NO_ROOM, spent.keep(0, io.keyferry.engine.redis.Resp.OVER_BUDGET));
        assertTrue(spent.tooBig(0), "dropped with nothing held: bigger than any batch's room");

        BatchMemory round = new BatchMemory(BatchMemory.BATCH_BYTES);
        byte[] value = new byte[1000];
        assertEquals(value, round.keep(0, value));
        assertEquals(BatchMemory.BATCH_BYTES - BatchMemory.footprint(value), round.budget());
        assertEquals(BatchMemory.NO_ROOM, round.keep(1, io.keyferry.engine.redis.Resp.OVER_BUDGET));
        assertTrue(!round.tooBig(1), "dropped beside another value: a later round has room for it");
        assertEquals(2, round.dropped() + 1);
    }

    /** A collection of small elements is counted by what it takes of the heap, not by its payload alone. */
    @Test
    void aValueOfManySmallElementsCountsItsElementsHeapAsWellAsTheirBytes() {
        List<Object> fields = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            fields.add(new byte[10]);
        }
        assertEquals(12_000, io.keyferry.engine.redis.Resp.payload(fields));
        assertTrue(BatchMemory.footprint(fields) >= 1200 * (10 + 16 + 8), "counted " + BatchMemory.footprint(fields));
        BatchMemory round = new BatchMemory(100_000);
        assertEquals(fields, round.keep(0, fields));
        assertEquals(fields, round.keep(1, fields));
        assertEquals(BatchMemory.NO_ROOM, round.keep(2, fields), "three take more than 100,000 bytes of heap");
    }

    @Test
    void aBatchHoldsAtMostItsRoomAndCopiesTheRestAfter() {
        try (CopyFixture c = new CopyFixture()) {
            BatchCopier copier = c.copier.holdingAtMost(ROOM);
            List<String> keys = new ArrayList<>();
            keys.addAll(blobs(c, "blob:", 20));
            for (int i = 0; i < 5; i++) { // 50 fields of 10 KiB: small by count, travels as DUMP/RESTORE
                Map<byte[], byte[]> fields = new HashMap<>();
                for (int f = 0; f < 50; f++) {
                    fields.put(("f" + f).getBytes(StandardCharsets.UTF_8), random(10 * 1024, i * 100 + f));
                }
                c.source.binary().hset(bytes("doc:" + i), fields);
                keys.add("doc:" + i);
            }
            for (int i = 0; i < 10; i++) {
                c.source.redis().set("s:" + i, "small " + i);
                keys.add("s:" + i);
            }

            BatchCopier.Prepared read = copier.read(copier.decide(StringReadTest.pairs(keys.toArray(String[]::new))), false);

            assertTrue(read.bytes() <= ROOM, "the batch holds " + read.bytes() + " bytes of values, its room is " + ROOM);
            assertTrue(read.deferred().size() >= 20, "the rest waits to be read: " + read.deferred().size());
            assertEquals(keys.size(), read.whole().size() + read.deferred().size() + read.chunked().size());
            Counters written = copier.write(read, new ArrayList<>());

            assertEquals(keys.size(), written.keysWritten());
            assertCopied(c, keys);
        }
    }

    @Test
    void aBatchSendsAsManyReadsAsTheValuesSeenLatelyLeaveRoomFor() {
        try (CopyFixture c = new CopyFixture()) {
            BatchCopier copier = c.copier.holdingAtMost(ROOM);
            List<String> first = blobs(c, "blob:", 10);
            copier.write(copier.read(copier.decide(StringReadTest.pairs(first.toArray(String[]::new))), false), new ArrayList<>());
            List<String> next = blobs(c, "next:", 20);
            BatchCopier.Decided decided = copier.decide(StringReadTest.pairs(next.toArray(String[]::new)));
            c.source.redis().configResetstat();

            BatchCopier.Prepared read = copier.read(decided, false);

            long reads = c.source.calls("getrange");
            assertTrue(reads >= 1 && reads <= ROOM / BLOB + 1, reads + " GETRANGEs for a room of " + ROOM / BLOB + " values");
            assertEquals(ROOM / BLOB, read.whole().size(), "a roomful kept");
            assertEquals(20 - ROOM / BLOB, read.deferred().size(), "the rest read later, most of them never sent yet");
            copier.write(read, new ArrayList<>());
            assertCopied(c, next);
        }
    }

    @Test
    void aGuardedBatchCopiesWhatItHadNoRoomForKeyByKey() {
        try (CopyFixture c = new CopyFixture()) {
            List<String> keys = blobs(c, "blob:", 12);
            List<List<Decision>> journaled = new ArrayList<>();

            Counters written = new GuardedCopy(c.copier.holdingAtMost(ROOM))
                    .copy(StringReadTest.pairs(keys.toArray(String[]::new)), journaled::add, new ArrayList<>());

            assertEquals(12, written.keysWritten());
            assertEquals(12, journaled.get(0).size(), "every key's decision journaled before anything is written");
            assertCopied(c, keys);
        }
    }

    private static List<String> blobs(CopyFixture c, String prefix, int n) {
        List<String> keys = IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
        for (int i = 0; i < n; i++) {
            c.source.binary().set(bytes(keys.get(i)), random(BLOB, prefix.hashCode() + i));
        }
        return keys;
    }

    private static void assertCopied(CopyFixture c, List<String> keys) {
        for (String k : keys) {
            if (k.startsWith("doc:")) {
                assertEquals(c.source.redis().hgetall(k), c.target.redis().hgetall(k), k);
            } else {
                assertArrayEquals(c.source.binary().get(bytes(k)), c.target.binary().get(bytes(k)), k);
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
