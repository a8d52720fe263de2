package io.keyferry.engine;

import io.keyferry.engine.copy.Counters;

/**
 * A snapshot of a copy in progress.
 *
 * @param source          the source being copied
 * @param keysScanned     keys SCAN returned so far, all sources together
 * @param estimatedTotal  sum of the sources' DBSIZE at the probe (an estimate: stores change, Pika's is stale)
 * @param counters        outcomes so far, all sources together
 * @param elapsedMillis   time since this run started
 * @param keysThisRun     keys scanned by this run (a resumed run starts at zero), for the rate
 */
public record Progress(String source, int sourceIndex, int sourceCount, long keysScanned, long estimatedTotal,
                       Counters counters, long elapsedMillis, long keysThisRun) {

    public double percent() {
        if (estimatedTotal <= 0) {
            return 0;
        }
        return Math.min(100.0, 100.0 * keysScanned / estimatedTotal);
    }

    public double keysPerSecond() {
        return elapsedMillis <= 0 ? 0 : keysThisRun * 1000.0 / elapsedMillis;
    }

    /** Seconds left at the current rate, or -1 when unknown. */
    public long etaSeconds() {
        double rate = keysPerSecond();
        if (rate <= 0 || estimatedTotal <= 0) {
            return -1;
        }
        return (long) Math.ceil(Math.max(0, estimatedTotal - keysScanned) / rate);
    }
}
