package io.keyferry.engine.copy;

/**
 * The time that pacing ({@link RateLimiter}, {@link TargetBackoff}) reads and waits on. The system's in every run;
 * a test gives its own, in which waiting is what moves time on, so it can count exactly what the pacing lets
 * through in a window without measuring the machine it runs on.
 */
public interface PaceClock {
    long nanoTime();

    /** Waits about this long (an interrupt ends the wait early and is kept). */
    void sleepNanos(long nanos);

    PaceClock SYSTEM = new PaceClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    };
}
