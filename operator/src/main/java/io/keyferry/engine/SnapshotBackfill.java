package io.keyferry.engine;

import io.keyferry.api.Backfill;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;

/**
 * When a source is backfilled from its RDB snapshot ({@link io.keyferry.engine.snapshot.SnapshotCopy}) instead of by
 * SCAN: where spec.worker.backfill asks for it and the result is the one the SCAN-based copy would give. Every key is
 * then RESTOREd whole with REPLACE, so either the target holds none of the source's keys (the first source, into a
 * target that was empty when the copy started) or every policy is Overwrite. The choice is made once per source,
 * before its first key, and saved in the checkpoint.
 */
final class SnapshotBackfill {
    static final String SNAPSHOT = "snapshot";
    static final String SCAN = "scan";

    private SnapshotBackfill() {}

    /**
     * The conditions that do not depend on the source.
     *
     * @param masters the masters of source i (1 for a server)
     */
    record Context(DataMigrationSpec spec, ServerProfile target, boolean guarded, boolean journaled,
                   boolean targetWasEmpty, java.util.function.IntUnaryOperator masters) {
        Context(DataMigrationSpec spec, ServerProfile target, boolean guarded, boolean journaled, boolean targetWasEmpty) {
            this(spec, target, guarded, journaled, targetWasEmpty, i -> 1);
        }
    }

    /** Why source {@code i} is not backfilled from its snapshot; null where it is. */
    static String whyNot(Context c, int i, ServerProfile source) {
        DataMigrationSpec spec = c.spec();
        if (spec.getWorker().getBackfill() != Backfill.SNAPSHOT) {
            return "spec.worker.backfill is Scan";
        }
        Integer parts = spec.getWorker().getParallelism();
        if (parts != null && parts > 1
                && !io.keyferry.engine.copy.SourceScan.byMaster(source.cluster(), c.masters().applyAsInt(i), parts)) {
            return source.cluster()
                    ? "the cluster has fewer masters than the " + parts + " workers (spec.worker.parallelism), so they"
                    + " split its keys, and a snapshot is a master's whole"
                    : "the source is split among " + parts + " workers (spec.worker.parallelism), a snapshot is one stream";
        }
        if (c.guarded()) {
            return "DualWrite is in force: every write is guarded against the application's, key by key";
        }
        if (c.journaled()) {
            return "an undo journal is kept (spec.undo), which records each key's prior state before it is written";
        }
        Integer keys = spec.getWorker().getRateLimit().getKeysPerSecond();
        Integer ops = spec.getWorker().getRateLimit().getSourceOpsPerSecond();
        if ((keys != null && keys > 0) || (ops != null && ops > 0)) {
            return "spec.worker.rateLimit is set, and a snapshot cannot be paced";
        }
        if (source.kind() != ServerKind.REDIS) {
            return "the source is " + source.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + "; a snapshot is taken from Redis (a server, or each master of a cluster)";
        }
        ServerProfile t = c.target();
        if (t.kind() != ServerKind.REDIS || !t.dumpRestore()) {
            return "the target is not a Redis with RESTORE";
        }
        if (compare(t.version(), source.version()) < 0 || compare(t.version(), "5.0") < 0) {
            return "the target (Redis " + t.version() + ") is older than the source (" + source.version()
                    + ") or than 5.0, and refuses its payloads";
        }
        if (spec.getPolicies().forType(DataType.LIST) == Policy.MERGE) {
            return "lists are under Merge";
        }
        if (!(i == 0 && c.targetWasEmpty()) && !allOverwrite(spec)) {
            return i == 0 ? "the target held keys when the copy started, and not every policy is Overwrite"
                    : "it is not the first source, and not every policy is Overwrite";
        }
        return null;
    }

    /**
     * Decides each source that has not started yet, saving the choice in its state; returns the plan's line for each
     * source (how it is backfilled, and why not from its snapshot).
     */
    static String[] decide(Checkpoint cp, Context c, java.util.List<ServerProfile> sources) {
        String[] lines = new String[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            Checkpoint.SourceState st = cp.sources.get(i);
            boolean started = st.done || st.keysScanned > 0 || !"0".equals(st.cursor)
                    || (cp.inflight != null && cp.inflight.source == i);
            String why = null;
            if (SNAPSHOT.equals(st.backfill) && !st.done && c.spec().getWorker().getBackfill() != Backfill.SNAPSHOT) {
                st.backfill = SCAN; // asked for again by SCAN: the keys restored so far are decided under the policies
                why = "spec.worker.backfill changed to Scan";
            } else if (st.backfill == null) {
                why = started ? "it was started by SCAN" : whyNot(c, i, sources.get(i));
                st.backfill = why == null ? SNAPSHOT : SCAN;
            }
            lines[i] = SNAPSHOT.equals(st.backfill)
                    ? "from the source's RDB snapshot (PSYNC): each key RESTOREd with its snapshot bytes, big keys in chunks"
                    : "by SCAN" + (why == null ? "" : " (not from its snapshot: " + why + ")");
        }
        return lines;
    }

    /**
     * Whether a verification of every key (not Sample) looks at the source from its snapshot first ({@link io.keyferry.engine.verify.SnapshotCheck}):
     * where spec.worker.backfill is Snapshot, of one source, a Redis (a server or a cluster), into a Redis that has DUMP.
     */
    static boolean verifiesFromSnapshot(DataMigrationSpec spec, io.keyferry.api.VerifySpec how, java.util.List<ServerProfile> sources,
                                        ServerProfile target) {
        return spec.getWorker().getBackfill() == Backfill.SNAPSHOT && how.getMode() != io.keyferry.api.VerifyMode.SAMPLE
                && sources.size() == 1 && sources.get(0).kind() == ServerKind.REDIS
                && target.kind() == ServerKind.REDIS && target.dumpRestore();
    }

    /** At most this many keys are looked at to tell whether a target holds only KeyFerry's own. */
    private static final int OWN_KEYS_AT_MOST = 100;

    /**
     * Whether the target holds no key but KeyFerry's own ({@code keyferry:...}: an operator's undo decision, a
     * checkpoint and its fence), so that it counts as empty; looked at only where it holds a handful of keys.
     */
    static boolean emptyButOwnKeys(io.keyferry.engine.redis.RedisLink target, ServerProfile profile) {
        if (profile.dbsize() == 0) {
            return true;
        }
        if (profile.dbsize() > OWN_KEYS_AT_MOST || profile.cluster()) {
            return false;
        }
        io.keyferry.engine.copy.SourceScan scan = new io.keyferry.engine.copy.SourceScan(target, profile,
                new io.keyferry.api.KeySelector(), OWN_KEYS_AT_MOST);
        io.keyferry.engine.copy.SourceScan.Page page;
        String cursor = "0";
        do {
            page = scan.next(cursor);
            for (byte[] key : page.keys()) {
                if (!new String(key, java.nio.charset.StandardCharsets.UTF_8).startsWith("keyferry:")) {
                    return false;
                }
            }
            cursor = page.cursor();
        } while (!page.finished());
        return true;
    }

    static boolean allOverwrite(DataMigrationSpec spec) {
        for (DataType t : DataType.values()) {
            if (spec.getPolicies().forType(t) != Policy.OVERWRITE) {
                return false;
            }
        }
        return spec.getPolicies().getTypeMismatch() == TypeMismatchPolicy.OVERWRITE;
    }

    /**
     * Compares two versions by major and minor number ("7.0.15" against "6.2"): the RDB format changes only with
     * those, and RESTORE refuses a payload of a newer format.
     */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 2; i++) {
            int d = Integer.compare(number(x, i), number(y, i));
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static int number(String[] parts, int i) {
        if (i >= parts.length) {
            return 0;
        }
        String digits = parts[i].replaceAll("[^0-9].*$", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
}
