package io.keyferry.engine.redis;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Waits for the replies of a long pipeline in one nap instead of as they arrive. A server answers each piece of a
 * pipeline it reads (Redis reads 16 KB at a time), so a batch of 2,000 RESTOREs comes back in some 45 pieces, and a
 * thread that reads them as they come wakes 45 times, each a poll and two reads (on a virtual machine a wake-up costs
 * more than the bytes it reads). Where at least {@link #MIN_REPLIES} replies are pending, the thread first sleeps
 * through {@link #SHARE} of the time the server is expected to take, then reads as before.
 *
 * <p>The expectation is this connection's own: the server's time per byte of commands, from the first write of each
 * earlier long pipeline to its last reply. It leans to the fastest seen, so that a nap ends before the last reply is
 * due: a server slower than expected costs only the wake-ups the nap did not save, and one faster than expected
 * waits for the nap at most once in a row, because a pipeline the nap outlasted is measured as fast as the nap was
 * long, and the next nap is {@link #SHARE} of that. Nothing is read or sent differently; replies only wait in the
 * socket's receive buffer a little longer.
 */
final class ReplyNap {
    static final int MIN_REPLIES = 256;
    static final double SHARE = 0.85;
    /** However long a pipeline is expected to take, a nap ends after this and the replies are read as they come. */
    static final long MAX_NAP_NANOS = 100_000_000L;
    /** Shorter than this, a nap costs what it saves: the wake-up of a timer. */
    static final long MIN_NAP_NANOS = 50_000L;

    private final LongSupplier clock;
    private final LongConsumer sleeper;
    /** When the first command since the last replies read was written; -1: none yet. */
    private long roundStart = -1;
    private long roundBytes;
    /** The server's expected time per byte of commands; negative until a long pipeline was measured. */
    private double nanosPerByte = -1;
    /** Long pipelines whose replies were awaited ({@link #awaiting}), napped or not. */
    private long awaited;

    ReplyNap() {
        this(System::nanoTime, LockSupport::parkNanos);
    }

    ReplyNap(LongSupplier clock, LongConsumer sleeper) {
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Commands of {@code bytes} are about to be written. */
    void writing(long bytes) {
        if (roundStart < 0) {
            roundStart = clock.getAsLong();
        }
        roundBytes += bytes;
    }

    /** Before the replies of {@code pending} commands are read: sleeps through most of what they should take. */
    void awaiting(int pending) {
        if (pending < MIN_REPLIES || roundStart < 0) {
            return;
        }
        awaited++;
        if (nanosPerByte < 0) {
            return;
        }
        long due = roundStart + (long) (SHARE * nanosPerByte * roundBytes);
        long nap = Math.min(due - clock.getAsLong(), MAX_NAP_NANOS);
        if (nap >= MIN_NAP_NANOS) {
            sleeper.accept(nap);
        }
    }

    /** The replies of {@code replies} commands were all read: a long pipeline's time teaches the next nap. */
    void answered(int replies) {
        if (replies >= MIN_REPLIES && roundStart >= 0 && roundBytes > 0) {
            double measured = (double) (clock.getAsLong() - roundStart) / roundBytes;
            nanosPerByte = nanosPerByte < 0 ? measured : Math.min(measured, (nanosPerByte + measured) / 2);
        }
        roundStart = -1;
        roundBytes = 0;
    }

    /** The expected time per byte of commands, or a negative number before any was measured (for tests). */
    double nanosPerByte() {
        return nanosPerByte;
    }

    /** How many long pipelines' replies were awaited (for tests). */
    long awaited() {
        return awaited;
    }
}
