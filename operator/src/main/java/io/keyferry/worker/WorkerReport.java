package io.keyferry.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.engine.Progress;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.verify.VerifyResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker tells the operator, as the JSON in its report ConfigMap (key {@value #DATA_KEY}):
 * its stage, counts, rate and, for verification, the result. The reconciler folds the reports of
 * every worker into the DataMigration's status; nothing else reads them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class WorkerReport {
    public static final String DATA_KEY = "report.json";
    private static final ObjectMapper JSON = io.keyferry.engine.checkpoint.Checkpoint.JSON;

    /** Probing, Copying, Copied, Verifying, Verified (the result says whether it is clean), Following or Failed. */
    public String stage;
    public String source;
    public long keysScanned;
    /** Keys the checkpoint had already scanned when this worker started: above zero for a resumed copy. */
    public long resumedAfterKeys;
    public long estimatedKeys;
    public long keysWritten;
    public long keysSkipped;
    public long keysMerged;
    public long keysFailed;
    public long bytesWritten;
    public long keysPerSecond;
    public long etaSeconds = -1;
    public double percent;
    /** Where the copy resumes: the SCAN cursor of the source, "done" when finished. */
    public String checkpoint;
    public String error;
    public Verification verification;
    /** A sync worker's lag (stage Following). */
    public Sync sync;
    /** The undo journal's size (a copy worker's), or an undo worker's progress and result. */
    public Undo undo;
    public String updatedAt;

    /**
     * Where a sync worker stands in its source's changes.
     * {@code changesBehind}: how far the source's own position is ahead of the applied one (bytes of a Redis replication
     * stream, records of a Kvrocks write-ahead log); {@code lagSeconds}: the age of the oldest change not applied yet.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Sync {
        public double lagSeconds;
        public long changesBehind;
        public String position;
        public String lastAppliedAt;
        public long keysApplied;
        /** Times the target was verified with repair because the changes since the position were not available. */
        public long rescans;
        /** Such a verification runs now: the lag is not known until it ends. */
        public boolean rescanning;
        /** The latest time (RFC 3339) before which every change the source took is known to be applied; null if none. */
        public String caughtUpAt;
    }

    /** The undo journal and an undo's progress; a copy worker fills only {@code journalBytes}. */
    public static final class Undo {
        /** A copy worker's: whether it keeps the journal (spec.undo.enabled, or the migration's default). */
        public Boolean journaling;
        public long journalBytes;
        public long segments;
        public long segmentsDone;
        public long restored;
        public long deleted;
        public long checked;
        public long mismatched;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Verification {
        public int round;
        public long keysChecked;
        public long mismatches;
        public long missing;
        public long repaired;
        /** Repairs the application's writes raced (not written; looked at again). */
        public long raced;
        public boolean finished;
        public List<Sample> samples = new ArrayList<>();
    }

    /** A differing key and why, each cut to a bound: a key may be megabytes, and a ConfigMap holds 1 MiB at most. */
    public record Sample(String key, String reason) {
        public Sample {
            key = clip(key, KEY_CHARS);
            reason = clip(reason, REASON_CHARS);
        }
    }

    static final int KEY_CHARS = 200;
    static final int REASON_CHARS = 300;
    static final int ERROR_CHARS = 2000;

    /** {@code s} cut to {@code max} characters, the cut said. */
    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "... (" + (s.length() - max) + " more characters)";
    }

    public static final String PROBING = "Probing";
    public static final String COPYING = "Copying";
    public static final String COPIED = "Copied";
    public static final String VERIFYING = "Verifying";
    public static final String VERIFIED = "Verified";
    /** A sync worker applies its source's changes (its lag in {@link #sync}). */
    public static final String FOLLOWING = "Following";
    /** A reverse mark's outcome where the target has no change capture: a rollback from TargetOnly copies back instead. */
    public static final String NO_CHANGE_CAPTURE = "NoChangeCapture";
    public static final String FAILED = "Failed";
    /** An undo worker puts the target back; then it checks it, and Undone when it is as before. */
    public static final String UNDOING = "Undoing";
    public static final String UNDONE = "Undone";

    /** Takes the counts and rate of a copy in progress. */
    void copyProgress(Progress p) {
        keysScanned = p.keysScanned();
        estimatedKeys = p.estimatedTotal();
        counts(p.counters());
        keysPerSecond = Math.round(p.keysPerSecond());
        etaSeconds = p.etaSeconds();
        percent = round(p.percent());
    }

    void counts(Counters c) {
        keysWritten = c.keysWritten();
        keysSkipped = c.total(Outcome.SKIPPED) + c.total(Outcome.TYPE_MISMATCH_SKIPPED);
        keysMerged = c.total(Outcome.MERGED) + c.total(Outcome.FILLED);
        keysFailed = c.total(Outcome.UNSUPPORTED);
        bytesWritten = c.bytes();
    }

    void verifyProgress(Progress p) {
        if (verification == null) {
            verification = new Verification();
        }
        verification.round = 1;
        verification.keysChecked = p.keysScanned();
        estimatedKeys = p.estimatedTotal();
        keysPerSecond = Math.round(p.keysPerSecond());
        etaSeconds = p.etaSeconds();
        percent = round(p.percent());
    }

    void verifyResult(VerifyResult r) {
        Verification v = new Verification();
        v.round = r.rounds();
        v.keysChecked = r.keysChecked();
        v.mismatches = r.mismatches();
        v.missing = r.missing();
        v.repaired = r.repaired();
        v.raced = r.raced();
        v.finished = true;
        r.samples().stream().filter(s -> !s.repaired()).limit(10).forEach(s -> v.samples.add(new Sample(s.key(), s.reason())));
        verification = v;
        percent = 100;
        etaSeconds = 0;
    }

    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The report in a ConfigMap's data, or null when there is none yet or it cannot be read. */
    public static WorkerReport parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(json, WorkerReport.class);
        } catch (IOException e) {
            return null;
        }
    }

    WorkerReport copy() {
        return parse(toJson());
    }
}
