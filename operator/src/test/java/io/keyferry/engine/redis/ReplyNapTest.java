package io.keyferry.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How long a nap before a long pipeline's replies lasts, on a clock the test moves. */
class ReplyNapTest {
    private static final long MS = 1_000_000L;

    private long now;
    private final List<Long> naps = new ArrayList<>();
    private final ReplyNap nap = new ReplyNap(() -> now, naps::add);

    /** A pipeline of {@code bytes} of commands and {@code replies} replies, answered {@code took} after it was written. */
    private void round(long bytes, int replies, long took) {
        nap.writing(bytes);
        nap.awaiting(replies);
        now += took;
        nap.answered(replies);
    }

    @Test
    void sleepsThroughMostOfWhatTheServerTookPerByteLastTime() {
        round(100_000, 2000, 10 * MS);
        assertEquals(List.of(), naps, "nothing measured yet: no nap");

        now += 5 * MS;
        nap.writing(50_000);
        now += MS; // writing took a millisecond
        nap.awaiting(1000);

        assertEquals(List.of((long) (ReplyNap.SHARE * 5 * MS) - MS), naps, "85% of 5 ms, less the millisecond gone");
        assertEquals(2, nap.awaited(), "napped or not, both long pipelines were awaited");
    }

    @Test
    void shortPipelinesNeitherNapNorTeach() {
        round(100_000, 2000, 10 * MS);
        round(100_000, ReplyNap.MIN_REPLIES - 1, 100 * MS);
        assertEquals(List.of(), naps, "the first round had nothing to go by; the second is short");
        assertEquals(100.0, nap.nanosPerByte(), "a short pipeline's time is not learned");

        nap.writing(100_000);
        nap.awaiting(ReplyNap.MIN_REPLIES - 1);
        assertEquals(List.of(), naps);
    }

    @Test
    void leansToTheFastestServerSeenAndNeverNapsPastTheCap() {
        round(100_000, 2000, 10 * MS);
        round(100_000, 2000, 30 * MS); // a slower server: halfway there
        assertEquals(200.0, nap.nanosPerByte());
        naps.clear();
        round(100_000, 2000, 5 * MS); // a faster one: at once
        assertEquals(50.0, nap.nanosPerByte());

        naps.clear();
        round(100_000_000, 2000, 0);
        assertEquals(List.of(ReplyNap.MAX_NAP_NANOS), naps, "5 s expected: the nap stops at the cap");
    }

    /**
     * A nap that outlasts a faster server is measured as the server's time, so the next nap is shorter by the share,
     * never longer: it does not feed on itself.
     */
    @Test
    void aNapThatOutlastedTheServerMakesTheNextOneShorter() {
        round(100_000, 2000, 10 * MS);
        double before = nap.nanosPerByte();
        for (int i = 0; i < 3; i++) {
            naps.clear();
            nap.writing(100_000);
            nap.awaiting(2000);
            now += naps.get(0); // the server was done long before: what the round took is the nap
            nap.answered(2000);
            assertEquals(ReplyNap.SHARE * before, nap.nanosPerByte(), 1e-9);
            before = nap.nanosPerByte();
        }
    }

    @Test
    void aNapTooShortToSaveAWakeUpIsNotTaken() {
        round(1000, 2000, ReplyNap.MIN_NAP_NANOS); // 50 microseconds for the whole pipeline
        nap.writing(1000);
        nap.awaiting(2000);
        assertEquals(List.of(), naps);
    }
}
