package io.keyferry.worker;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.sync.ReverseSpec;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;

/**
 * One stage of a DataMigration inside a worker pod: the copy of one source, or the verification of the
 * target against every source. It runs the same engine as `keyferry run`; the checkpoint lives in the
 * target (a new pod resumes where the last one stopped) and the progress goes to the report sink.
 *
 * <p>Exit codes: 0 the stage finished (a verification that found differences finished too: the report
 * says what it found); 2 the input is unusable (the Job is not retried, see the Job's podFailurePolicy);
 * 3 it failed and another attempt resumes.
 */
public final class Worker {
    public static final int OK = 0;
    public static final int INVALID_INPUT = 2;
    public static final int FAILED = 3;

    /**
     * @param migration     namespace/name, for logs
     * @param checkpointId  names the migration's state in the target (the DataMigration's UID)
     */
    public record Job(String migration, String checkpointId, DataMigrationSpec spec, SecretResolver secrets,
                      boolean repair, boolean dualWrite) {}

    private final Job job;
    private final ReportPublisher publisher;
    private final PrintWriter log;
    private final WorkerReport report = new WorkerReport();

    public Worker(Job job, ReportPublisher publisher, PrintWriter log) {
        this.job = job;
        this.publisher = publisher;
        this.log = log;
    }

    /** Copies one source (by name) into the target, resuming from the checkpoint in the target. */
    public int copy(String sourceName) {
        return copy(sourceName, 0, 1);
    }

    /**
     * A worker keeps the undo journal (in the target, keyferry:undo:{<checkpoint id>}, or spec.undo.store) where
     * spec.undo.enabled is true, or unset and {@link UndoDefault} decided so for the whole migration; the decision and
     * the journal's size go to the report.
     */
    private void journalIfAsked(Migration migration) {
        boolean journaling = UndoDefault.decide(job.spec(), job.secrets(), job.checkpointId());
        job.spec().getUndo().setEnabled(journaling);
        report.undo = new WorkerReport.Undo();
        report.undo.journaling = journaling;
        if (journaling) {
            migration.journalingUndo((target, undoStore) -> io.keyferry.engine.undo.UndoJournal.open(job.spec().getUndo(),
                    job.checkpointId(), undoStore, () -> new io.keyferry.engine.undo.TargetSegmentStore(target.get(),
                            job.checkpointId(), true)));
        }
    }

    /** Copies part {@code part} of {@code parts} of a source (parallel workers), with a checkpoint of its own. */
    public int copy(String sourceName, int part, int parts) {
        int index = sourceIndex(sourceName);
        if (index < 0) {
            return fail(INVALID_INPUT, "source " + sourceName + " is not in spec.sources");
        }
        if (parts < 1 || part < 0 || part >= parts) {
            return fail(INVALID_INPUT, "shard " + part + "/" + parts + " does not exist; use K/N with 0 <= K < N");
        }
        report.source = sourceName;
        try {
            return retrying().run(attempt -> copyOnce(sourceName, index, part, parts));
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * Faults of the network or a server are retried in the pod (spec.worker.retries, with pauses of 1, 2, 4, 8, 16 s),
     * each new attempt connecting again and resuming from the checkpoint, before the pod fails and the Job's
     * backoffLimit takes over: a connection reset costs a pause, not a pod.
     */
    private io.keyferry.engine.Retrying retrying() {
        Integer retries = job.spec().getWorker().getRetries();
        return new io.keyferry.engine.Retrying(retries == null ? io.keyferry.engine.Retrying.DEFAULT_RETRIES : retries,
                message -> log.println("keyferry worker: " + message));
    }

    private int copyOnce(String sourceName, int index, int part, int parts) {
        stage(WorkerReport.PROBING);
        String id = job.checkpointId() + ":" + sourceName + (parts == 1 ? "" : ":" + part + "/" + parts);
        try (Migration migration = new Migration(job.migration(), job.spec(), job.secrets(),
                target -> new TargetCheckpointStore(target.get(), id)).restartingOnOtherSpec()) {
            journalIfAsked(migration);
            if (job.dualWrite()) {
                migration.guardingWrites();
            }
            io.keyferry.engine.CopyPlan plan = migration.prepare();
            if (job.spec().getSync() != null && job.spec().getSync().continuous()) { // followed from before the backfill
                SyncFollower.check(job, plan);
                log.println("source " + sourceName + " is followed after its copy from " + SyncFollower.markStart(job, migration, index).encode());
            }
            report.resumedAfterKeys = migration.checkpoint().sources.get(index).keysScanned;
            if (report.resumedAfterKeys > 0) {
                log.println("resuming after " + report.resumedAfterKeys + " scanned keys");
            }
            log.println("copying source " + sourceName + (parts == 1 ? "" : ", shard " + part + "/" + parts) + " (checkpoint " + TargetCheckpointStore.keyFor(id) + ")");
            stage(WorkerReport.COPYING);
            CopyResult result = migration.copySource(index, part, parts, p -> {
                report.copyProgress(p);
                report.undo.journalBytes = migration.journal() == null ? 0 : migration.journal().bytes();
                report.checkpoint = cursor(migration.checkpoint(), index);
                publisher.update(report);
            });
            report.undo.journalBytes = migration.journal() == null ? 0 : migration.journal().bytes();
            report.counts(result.total());
            report.keysScanned = result.keysScanned();
            report.percent = 100;
            report.etaSeconds = 0;
            report.checkpoint = "done";
            log.println("copied source " + sourceName + ": " + result.keysScanned() + " keys scanned, "
                    + result.total().keysWritten() + " written");
            stage(WorkerReport.COPIED);
            return OK;
        }
    }

    /** Verifies the target against every source under the policies; the result goes to the report. */
    public int verify() {
        try {
            return retrying().run(attempt -> verifyOnce());
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * Follows one source's changes (spec.sync.mode Continuous) until {@code stop} says so (the pod is told to stop),
     * resuming from the position saved in the target; its lag goes to the report. Exits 0 when stopped, 2 when the
     * source cannot be followed (a Pika source) or did what no follow can mirror (FLUSHALL, SWAPDB: following again would
     * stop there again), 3 when the follow broke off (a new pod resumes from the position).
     */
    public int sync(String sourceName, java.util.function.BooleanSupplier stop) {
        int index = sourceIndex(sourceName);
        if (index < 0) {
            return fail(INVALID_INPUT, "source " + sourceName + " is not in spec.sources");
        }
        return follow(job, index, stop, null);
    }

    /**
     * Follows the target's changes back into the first source (spec.cutover.reverseSync, while TargetOnly is in force)
     * until {@code stop} says so: the migration turned around ({@link ReverseSpec}), everything under Overwrite, its
     * position kept in the first source. Without a saved position the first source is first verified against the target
     * with repair (a full reverse diff), so what the target took before the follow began reaches it too. Exit codes as
     * {@link #sync}; a target that cannot be followed (Pika) or a renamed key range is refused (2), naming the field.
     */
    public int reverseSync(java.util.function.BooleanSupplier stop) {
        report.source = ReverseSpec.NAME;
        DataMigrationSpec reversed;
        try {
            reversed = ReverseSpec.of(job.spec());
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        }
        return follow(new Job(job.migration(), job.checkpointId(), reversed, job.secrets(), false, false), 0, stop,
                REVERSE_REFUSAL);
    }

    /**
     * Saves where the target stands now as the reverse sync's position, in the first source (while ReadTarget is in
     * force: the application still writes both stores), so the reverse sync that starts with TargetOnly misses no write
     * the target takes from the flag's move on. Replaces an older position (of an earlier TargetOnly). Where the target
     * cannot be followed (a Pika target: no change capture) nothing is saved and the report's stage says
     * {@link WorkerReport#NO_CHANGE_CAPTURE}: a rollback from TargetOnly then runs {@link #reverseCopy} first. Exit 0 when
     * saved (or not needed), 2 when the reverse sync cannot be carried out (a renamed key range), 3 on a fault.
     */
    public int reverseMark() {
        report.source = ReverseSpec.NAME;
        try {
            DataMigrationSpec reversed = ReverseSpec.of(job.spec());
            stage(WorkerReport.PROBING);
            try (Migration migration = Migration.verifyOnly(job.migration(), reversed, job.secrets())) {
                java.util.List<String> problems = io.keyferry.engine.sync.FollowCheck.problems(reversed, migration.prepare());
                if (!problems.isEmpty()) { // no change capture: a rollback from TargetOnly runs a reverse copy instead
                    log.println("the target cannot be followed (" + String.join("; ", problems) + "): a rollback from"
                            + " TargetOnly first copies and verifies the first source against it with repair");
                    stage(WorkerReport.NO_CHANGE_CAPTURE);
                    return OK;
                }
                Job r = new Job(job.migration(), job.checkpointId(), reversed, job.secrets(), false, false);
                log.println("the reverse sync starts from " + SyncFollower.markStart(r, migration, 0, true).encode()
                        + " of the target");
            }
            stage(WorkerReport.COPIED);
            return OK;
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * The first source brought up to the target, for a rollback from TargetOnly where the target has no change capture:
     * the migration turned around ({@link ReverseSpec}, Overwrite) is verified in full with repair, which copies every key
     * of the first source's key range that differs or is missing and deletes the keys of that range the target no longer
     * has (never KeyFerry's own keys, never keys outside the range); then a final full round with repair takes what the
     * application wrote to the target during the first. Exit 0 when the final round found the first source equal to the
     * target, 3 when not (a new pod runs it again), 2 when the reversed spec is unusable.
     */
    public int reverseCopy() {
        report.source = ReverseSpec.NAME;
        try {
            DataMigrationSpec reversed = ReverseSpec.of(job.spec());
            return retrying().run(attempt -> reverseCopyOnce(reversed));
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private int reverseCopyOnce(DataMigrationSpec reversed) {
        stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(job.migration(), reversed, job.secrets())) {
            migration.prepare();
            stage(WorkerReport.VERIFYING);
            VerifyResult result = null;
            for (int round = 1; round <= 2; round++) { // the second round: writes the target took during the first
                result = migration.rescan(p -> {
                    report.verifyProgress(p);
                    publisher.update(report);
                }, true);
                log.println("reverse copy, round " + round + ": " + result.keysChecked() + " keys checked, "
                        + result.repaired() + " repaired, " + result.mismatches() + " differ, " + result.missing() + " missing");
            }
            report.verifyResult(result);
            if (!result.clean()) {
                return fail(FAILED, "after the reverse copy " + (result.mismatches() + result.missing()) + " keys of the"
                        + " first source still differ from the target (the application writes them meanwhile?)");
            }
            stage(WorkerReport.VERIFIED);
            return OK;
        }
    }

    /** Refuses a reversed spec whose source (the target) cannot be followed, naming spec.target. */
    private static void refuseReverse(DataMigrationSpec reversed, io.keyferry.engine.CopyPlan plan) {
        java.util.List<String> problems = io.keyferry.engine.sync.FollowCheck.problems(reversed, plan);
        if (!problems.isEmpty()) {
            throw new MigrationInputException(REVERSE_REFUSAL + String.join("; ", problems)
                    .replace("spec.sources[0] (" + ReverseSpec.NAME + ")", "spec.target"));
        }
    }

    private static final String REVERSE_REFUSAL = "spec.cutover.reverseSync is true, but the target (followed back into"
            + " the first source) cannot be followed: ";

    /** @param refusal what a problem of {@link SyncFollower#check} is prefixed with, or null for the forward sync's */
    private int follow(Job j, int index, java.util.function.BooleanSupplier stop, String refusal) {
        String sourceName = j.spec().getSources().get(index).getName();
        report.source = sourceName;
        stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(j.migration(), j.spec(), j.secrets())) {
            io.keyferry.engine.CopyPlan plan = migration.prepare();
            if (refusal == null) {
                SyncFollower.check(j, plan);
            } else {
                refuseReverse(j.spec(), plan);
            }
            new SyncFollower(j, publisher, report, log).follow(migration, index, stop);
            log.println("stopped following source " + sourceName + " at " + report.sync.position);
            publisher.publishNow(report);
            return OK;
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(FAILED, "interrupted");
        } catch (RuntimeException e) {
            if (io.keyferry.engine.sync.Follow.unfollowable(e)) { // a new worker would stop at the same change again
                return fail(INVALID_INPUT, e.getMessage().replace("run again with --restart to copy afresh",
                        "change spec.retryNonce to copy afresh, or set spec.sync.mode to Once"));
            }
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * Puts the target back from the undo journal (spec.phase Aborted, spec.abort), resuming after the segments an
     * earlier pod finished; then checks the target against the journal, and after a clean check removes every key of
     * KeyFerry's for this migration from the target (and spec.undo.store) but an undone marker, written first, that
     * tells a pod started after a lost one that the undo was done (it reports so, exit 0): the target is as before the
     * migration. Exits 2 where there is neither a journal nor the marker (nothing written) or keys still differ after the undo, 3 where it stopped part way.
     */
    public int undo() {
        try {
            return retrying().run(attempt -> undoOnce());
        } catch (MigrationInputException e) {
            return fail(INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private int undoOnce() {
        stage(WorkerReport.PROBING);
        String id = job.checkpointId();
        try (io.keyferry.engine.undo.UndoRun run = new io.keyferry.engine.undo.UndoRun(id, job.spec(), job.secrets(),
                target -> new io.keyferry.engine.undo.TargetSegmentStore(target.get(), id, true))) {
            run.prepare();
            WorkerReport.Undo undo = new WorkerReport.Undo();
            report.undo = undo;
            if (run.alreadyUndone() != null) { // an earlier pod was lost after its check, while removing the journal
                readSummary(run.alreadyUndone(), undo);
                log.println("an earlier worker put the target back and checked it (" + run.alreadyUndone()
                        + "), then was lost while removing the journal: finishing that");
                return undone(id);
            }
            undo.journalBytes = run.journalBytes();
            undo.segments = run.segments();
            undo.segmentsDone = run.segmentsDone();
            log.println("undo from a journal of " + undo.journalBytes + " bytes in " + undo.segments + " segments"
                    + (undo.segmentsDone > 0 ? ", resuming after " + undo.segmentsDone + " segments an earlier worker put back" : ""));
            stage(WorkerReport.UNDOING);
            io.keyferry.engine.undo.UndoResult done = run.restore(n -> {
                undo.segmentsDone = n;
                report.percent = undo.segments == 0 ? 100 : Math.min(100, Math.round(1000.0 * n / undo.segments) / 10.0);
                publisher.update(report);
            });
            undo.restored += done.restored();
            undo.deleted += done.deleted() + done.expired();
            io.keyferry.engine.undo.UndoResult checked = run.check();
            undo.checked = checked.checked();
            undo.mismatched = checked.mismatched();
            log.println("undone: " + done.restored() + " keys put back, " + (done.deleted() + done.expired())
                    + " deleted; checked " + checked.checked() + " keys, " + checked.mismatched() + " differ");
            if (!checked.clean()) {
                return fail(INVALID_INPUT, "after the undo " + checked.mismatched() + " keys still differ from the journal's"
                        + " prior states (something else wrote the target meanwhile?): "
                        + String.join("; ", checked.mismatches().stream().limit(5).toList()));
            }
            run.markUndone(UNDONE_SUMMARY.formatted(undo.restored, undo.deleted, undo.checked));
            return undone(id);
        }
    }

    /** The undone marker's text: what the undo did, so that a pod that finds only the marker reports the same. */
    private static final String UNDONE_SUMMARY = "restored=%d deleted=%d checked=%d";

    private static void readSummary(String summary, WorkerReport.Undo undo) {
        for (String part : summary.trim().split(" ")) {
            String[] kv = part.split("=", 2);
            long n = kv.length == 2 && kv[1].matches("\\d{1,18}") ? Long.parseLong(kv[1]) : 0;
            switch (kv[0]) {
                case "restored" -> undo.restored = n;
                case "deleted" -> undo.deleted = n;
                case "checked" -> undo.checked = n;
                default -> { }
            }
        }
    }

    /**
     * The undo is done and checked (its marker written): removes every key of KeyFerry's for this migration from the
     * target and spec.undo.store but the marker (the operator removes it once it recorded the abort, so a pod lost
     * before reporting leaves the next one the proof), and reports Undone.
     */
    private int undone(String id) {
        String marker = io.keyferry.engine.undo.TargetSegmentStore.undoneKey(id);
        io.keyferry.api.EndpointSpec store = job.spec().getUndo().getStore();
        long removed = io.keyferry.engine.StateCleanup.removeMatching(job.spec().getTarget().getEndpoint(),
                "spec.target.endpoint", job.secrets(), io.keyferry.engine.StateCleanup.pattern(id), store == null ? marker : null);
        if (store != null) {
            removed += io.keyferry.engine.StateCleanup.removeMatching(store, "spec.undo.store", job.secrets(),
                    io.keyferry.engine.StateCleanup.pattern(id), marker);
        }
        log.println("removed " + removed + " keys of KeyFerry's (journal, checkpoints): the target is as before");
        report.percent = 100;
        stage(WorkerReport.UNDONE);
        return OK;
    }

    private int verifyOnce() {
        stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(job.migration(), job.spec(), job.secrets())) {
            migration.prepare();
            stage(WorkerReport.VERIFYING);
            VerifyResult result = migration.verify(p -> {
                report.verifyProgress(p);
                publisher.update(report);
            }, job.repair(), job.dualWrite());
            report.verifyResult(result);
            log.println("verified: " + result.keysChecked() + " keys checked, " + result.mismatches() + " differ, "
                    + result.missing() + " missing, " + result.repaired() + " repaired");
            if (result.clean()) { // the copies are done and exact: their checkpoints are not needed any more
                long removed = TargetCheckpointStore.remove(migration.target(), checkpointIds())
                        + UndoDefault.forgetOff(migration.target(), job.checkpointId());
                if (removed > 0) {
                    log.println("removed the copies' " + removed + " checkpoint keys from the target");
                }
            }
            stage(WorkerReport.VERIFIED);
            return OK;
        }
    }

    /** The ids of every copy checkpoint of this migration: one per source, or per part of each with parallelism. */
    private java.util.List<String> checkpointIds() {
        Integer parallelism = job.spec().getWorker().getParallelism();
        int parts = parallelism == null || parallelism < 1 ? 1 : parallelism;
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (SourceSpec s : job.spec().getSources()) {
            for (int part = 0; part < parts; part++) {
                ids.add(job.checkpointId() + ":" + s.getName() + (parts == 1 ? "" : ":" + part + "/" + parts));
            }
        }
        return ids;
    }

    private int sourceIndex(String name) {
        for (int i = 0; i < job.spec().getSources().size(); i++) {
            SourceSpec s = job.spec().getSources().get(i);
            if (s.getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String cursor(Checkpoint cp, int index) {
        Checkpoint.SourceState s = cp == null ? null : cp.sources.get(index);
        return s == null ? null : s.done ? "done" : "cursor " + s.cursor;
    }

    private void stage(String stage) {
        report.stage = stage;
        publisher.publishNow(report);
    }

    private int fail(int code, String error) {
        log.println("keyferry worker: " + error);
        report.error = WorkerReport.clip(error, WorkerReport.ERROR_CHARS);
        report.stage = WorkerReport.FAILED;
        publisher.publishNow(report);
        return code;
    }
}
