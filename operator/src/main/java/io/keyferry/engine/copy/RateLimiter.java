package io.keyferry.engine.copy;

/** Paces a copy to at most a number of keys per second (0 = unlimited), to spare production sources. */
public final class RateLimiter {
    private final int keysPerSecond;
    private final long start = System.nanoTime();
    private long keys;

    public RateLimiter(int keysPerSecond) {
        this.keysPerSecond = keysPerSecond;
    }

    /** Counts keys just processed and sleeps until the average rate is back under the limit. */
    public void acquire(long n) {
        if (keysPerSecond <= 0) {
            return;
        }
        keys += n;
        long dueNanos = keys * 1_000_000_000L / keysPerSecond;
        long aheadNanos = dueNanos - (System.nanoTime() - start);
        if (aheadNanos > 0) {
            try {
                Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
