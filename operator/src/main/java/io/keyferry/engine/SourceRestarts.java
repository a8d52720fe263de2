package io.keyferry.engine;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.Checkpoint;
import java.util.Set;

/**
 * A SCAN cursor means something only to the server process that gave it: a restarted Redis (or another process taking
 * over) hashes keys with a new seed, so a saved cursor would skip keys silently (measured: a quarter of them). Each
 * source's state remembers the INFO run_id its cursor came from; when the source now answers with another, its scan
 * starts again from 0 and every key is decided again under the policies, which ends as the uninterrupted copy would,
 * except for lists under Merge: appending them again would double their elements, so that copy stops instead.
 */
final class SourceRestarts {
    private SourceRestarts() {}

    /**
     * @param runId the source's run_id now; empty where the store has none (Pika, Kvrocks keep their cursors)
     * @param types the source's type filter, null for every type
     */
    static void check(Checkpoint cp, int index, String runId, String label, Policy listPolicy, Set<DataType> types) {
        Checkpoint.SourceState state = cp.sources.get(index);
        Checkpoint.Inflight inflight = cp.inflight != null && cp.inflight.source == index ? cp.inflight : null;
        boolean scanning = inflight != null ? !inflight.scanFinished : !state.done && !"0".equals(state.cursor);
        if (scanning && state.scannedOn != null && !runId.isEmpty() && !state.scannedOn.equals(runId)) {
            if (listPolicy == Policy.MERGE && (types == null || types.contains(DataType.LIST))) {
                throw new CopyFailedException(label + " restarted during the copy (INFO run_id was " + state.scannedOn
                        + ", is " + runId + "), so its SCAN cursor no longer says which keys were copied; lists under Merge"
                        + " cannot be appended again without doubling their elements. Restore the target's lists, or"
                        + " choose another policy for lists, and run again with --restart");
            }
            state.cursor = "0";
            state.keysScanned = 0;
            state.counters = new io.keyferry.engine.copy.Counters();
            if (inflight != null) {
                inflight.cursorAfter = "0"; // its keys are written again as journaled, then the scan starts over
            }
        }
        state.scannedOn = runId;
    }
}
