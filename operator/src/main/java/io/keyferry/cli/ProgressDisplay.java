package io.keyferry.cli;

import io.keyferry.engine.Progress;
import io.keyferry.engine.ProgressListener;
import java.io.PrintWriter;

/**
 * Shows a copy's progress: a redrawn bar on a terminal, otherwise one plain line every few seconds
 * (logs of CI jobs and pods should not fill with carriage returns).
 */
final class ProgressDisplay implements ProgressListener {
    private static final int BAR_WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastShown = System.nanoTime();
    private Progress last;

    private ProgressDisplay(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 200_000_000L : 5_000_000_000L;
    }

    static ProgressDisplay create(PrintWriter out, boolean noBar) {
        return new ProgressDisplay(out, !noBar && System.console() != null);
    }

    @Override
    public void onProgress(Progress p) {
        last = p;
        long now = System.nanoTime();
        if (now - lastShown >= intervalNanos) {
            lastShown = now;
            show(p);
        }
    }

    /**
     * Shows the final state and ends the bar's line.
     *
     * @param completed every source was scanned to its end: shown as 100% whatever the estimate said
     *                  (DBSIZE counts keys that MATCH filtered out, and stores change while copied)
     */
    void finish(boolean completed) {
        if (last != null) {
            show(completed ? new Progress(last.source(), last.sourceIndex(), last.sourceCount(), last.keysScanned(),
                    last.keysScanned(), last.counters(), last.elapsedMillis(), last.keysThisRun()) : last);
            if (terminal) {
                out.println();
            }
        }
        out.flush();
    }

    private void show(Progress p) {
        String line = String.format("%s %5.1f%% %,d/%,d keys  %,.0f keys/s  ETA %s  [%s %d/%d]",
                terminal ? bar(p.percent()) : "progress", p.percent(), p.keysScanned(), p.estimatedTotal(),
                p.keysPerSecond(), eta(p.etaSeconds()), p.source(), p.sourceIndex() + 1, p.sourceCount());
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String bar(double percent) {
        int filled = (int) Math.round(percent / 100 * BAR_WIDTH);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }

    static String eta(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%02d:%02d", seconds / 60, seconds % 60);
    }
}
