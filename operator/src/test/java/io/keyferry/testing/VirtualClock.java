package io.keyferry.testing;

import io.keyferry.engine.copy.PaceClock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PaceClock} whose time moves only when something waits on it: the work between the waits takes no time
 * at all. What the pacing lets through in a window of this time is then exactly what its own token bucket allows,
 * however busy the machine running the test is.
 */
public final class VirtualClock implements PaceClock {
    private final AtomicLong now = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleepNanos(long nanos) {
        waits.incrementAndGet();
        now.addAndGet(nanos);
    }

    /** How many times something waited. */
    public long waits() {
        return waits.get();
    }
}
