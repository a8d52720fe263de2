package io.keyferry.engine.copy;

/**
 * Paces a copy to at most a number of keys per second (0 = unlimited), to spare production sources.
 * Keys are paid for after they were processed; a slow stretch (a big key) is not made up for later by
 * a burst, so the rate stays under the limit over any window, not only on average.
 */
public final class RateLimiter {
    private final int keysPerSecond;
    private final PaceClock clock;
    private long nextAllowedNanos;

    public RateLimiter(int keysPerSecond) {
        this(keysPerSecond, PaceClock.SYSTEM);
    }

    public RateLimiter(int keysPerSecond, PaceClock clock) {
        this.keysPerSecond = keysPerSecond;
        this.clock = clock;
        this.nextAllowedNanos = clock.nanoTime();
    }

    /**
     * Keys a batch may hold under a limit of so many keys per second (0: none): at most a second's worth, so a paced
     * copy reads and writes in steps of a second or less, not a whole batch at once and then a long pause.
     */
    public static int batchWithin(int batchSize, int keysPerSecond) {
        return keysPerSecond > 0 ? Math.max(1, Math.min(batchSize, keysPerSecond)) : batchSize;
    }

    /** Counts keys just processed and sleeps until the limit allows the next ones. */
    public void acquire(long n) {
        if (keysPerSecond <= 0 || n <= 0) {
            return;
        }
        long now = clock.nanoTime();
        nextAllowedNanos = Math.max(nextAllowedNanos, now) + n * 1_000_000_000L / keysPerSecond;
        long waitNanos = nextAllowedNanos - now;
        if (waitNanos > 0) {
            clock.sleepNanos(waitNanos);
        }
    }
}
