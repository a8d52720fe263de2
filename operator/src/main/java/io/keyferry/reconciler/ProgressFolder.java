package io.keyferry.reconciler;

import io.keyferry.api.ProgressStatus;
import io.keyferry.worker.WorkerReport;

/** Folds the copy workers' reports into status.progress: sums of counts, the running workers' rate and ETA. */
final class ProgressFolder {
    private ProgressFolder() {}

    /** @param copies the copy run of each source (null where none started yet) */
    static ProgressStatus progress(WorkerRun[] copies) {
        long scanned = 0, estimated = 0, written = 0, skipped = 0, merged = 0, failed = 0, bytes = 0, rate = 0, eta = 0;
        boolean any = false;
        int finished = 0;
        for (WorkerRun r : copies) {
            if (r == null || r.report() == null) {
                continue;
            }
            any = true;
            WorkerReport rep = r.report();
            scanned += rep.keysScanned;
            // A finished source counts as what it scanned: DBSIZE was only an estimate.
            estimated += r.state() == WorkerRun.State.SUCCEEDED ? rep.keysScanned : Math.max(rep.estimatedKeys, rep.keysScanned);
            written += rep.keysWritten;
            skipped += rep.keysSkipped;
            merged += rep.keysMerged;
            failed += rep.keysFailed;
            bytes += rep.bytesWritten;
            if (r.state() == WorkerRun.State.ACTIVE) {
                rate += rep.keysPerSecond;
                eta += Math.max(0, rep.etaSeconds);
            } else if (r.state() == WorkerRun.State.SUCCEEDED) {
                finished++;
            }
        }
        if (!any) {
            return null;
        }
        double percent;
        if (finished == copies.length) {
            percent = 100.0;
        } else {
            // Sources not started yet are weighted as one share each, since their size is not known yet.
            double done = estimated == 0 ? 0 : (double) scanned / estimated;
            int reported = (int) java.util.Arrays.stream(copies).filter(r -> r != null && r.report() != null).count();
            percent = Math.min(99.9, 100.0 * done * reported / copies.length);
        }
        return new ProgressStatus(Math.round(percent * 10) / 10.0, scanned, written, skipped, merged, failed, bytes,
                rate, rate > 0 ? eta : null);
    }
}
