package io.keyferry.engine.copy;

/**
 * Slows the copy down when the target slows down: a batch whose writes took far longer per unit of work
 * than usual (more than 4 times the running average, and over 50 ms in all) is followed by a pause as
 * long as that batch took (at most 5 s), so an overloaded target gets room to recover instead of a
 * growing queue. Work is counted in keys plus 4 KiB units, so a batch holding a big key is not mistaken
 * for a slow target.
 */
public final class TargetBackoff {
    private static final long FLOOR_NANOS = 50_000_000L;
    private static final long MAX_PAUSE_NANOS = 5_000_000_000L;
    private static final double WEIGHT = 0.1;

    private final PaceClock clock;
    private double usualNanosPerUnit = -1;
    private long pauses;
    private long pausedNanos;

    public TargetBackoff() {
        this(PaceClock.SYSTEM);
    }

    public TargetBackoff(PaceClock clock) {
        this.clock = clock;
    }

    /**
     * Records how long a batch's writes took, and pauses when that was unusually long for its work.
     *
     * @param keys  keys the batch wrote
     * @param bytes payload bytes the batch wrote
     */
    public void afterBatch(long writeNanos, long keys, long bytes) {
        double perUnit = (double) writeNanos / Math.max(1, keys + bytes / 4096);
        if (usualNanosPerUnit < 0) {
            usualNanosPerUnit = perUnit;
            return;
        }
        if (writeNanos > FLOOR_NANOS && perUnit > 4 * usualNanosPerUnit) {
            pauses++;
            long pause = Math.min(writeNanos, MAX_PAUSE_NANOS);
            pausedNanos += pause;
            clock.sleepNanos(pause);
            return; // a slow batch does not become the new usual
        }
        usualNanosPerUnit = (1 - WEIGHT) * usualNanosPerUnit + WEIGHT * perUnit;
    }

    /** How many times the copy paused for the target. */
    public long pauses() {
        return pauses;
    }

    /** How long those pauses were, in all. */
    public long pausedNanos() {
        return pausedNanos;
    }
}
