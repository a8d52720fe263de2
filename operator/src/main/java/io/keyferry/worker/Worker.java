package io.keyferry.worker;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.Migration;
import io.keyferry.engine.SecretResolver;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;

/**
 * One stage of a DataMigration inside a worker pod: the copy of one source, the verification of the target against
 * every source, a live sync ({@link SyncWorker}), the reverse sync's short stages ({@link ReverseWorker}), an undo
 * ({@link UndoWorker}). It runs the same engine as `keyferry run`; the checkpoint lives in the
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

    private final WorkerContext ctx;
    private final Job job;
    private final WorkerReport report;

    public Worker(Job job, ReportPublisher publisher, PrintWriter log) {
        this.ctx = new WorkerContext(job, publisher, log);
        this.job = job;
        this.report = ctx.report;
    }

    /** Copies one source (by name) into the target, resuming from the checkpoint in the target. */
    public int copy(String sourceName) {
        return copy(sourceName, 0, 1);
    }

    /** Copies part {@code part} of {@code parts} of a source (parallel workers), with a checkpoint of its own. */
    public int copy(String sourceName, int part, int parts) {
        int index = sourceIndex(sourceName);
        if (index < 0) {
            return ctx.fail(INVALID_INPUT, "source " + sourceName + " is not in spec.sources");
        }
        if (parts < 1 || part < 0 || part >= parts) {
            return ctx.fail(INVALID_INPUT, "shard " + part + "/" + parts + " does not exist; use K/N with 0 <= K < N");
        }
        report.source = sourceName;
        return ctx.reporting(() -> ctx.retrying().run(attempt -> copyOnce(sourceName, index, part, parts)));
    }

    private int copyOnce(String sourceName, int index, int part, int parts) {
        ctx.stage(WorkerReport.PROBING);
        String id = job.checkpointId() + ":" + sourceName + (parts == 1 ? "" : ":" + part + "/" + parts);
        try (Migration migration = new Migration(job.migration(), job.spec(), job.secrets(),
                target -> new TargetCheckpointStore(target.get(), id)).restartingOnOtherSpec().keepingListBases(job.checkpointId())) {
            ctx.journalIfAsked(migration);
            if (job.dualWrite()) {
                migration.guardingWrites();
            }
            io.keyferry.engine.CopyPlan plan = migration.prepare();
            if (job.spec().getSync() != null && job.spec().getSync().continuous()) { // followed from before the backfill
                SyncFollower.check(job, plan);
                ctx.log.println("source " + sourceName + " is followed after its copy from " + SyncFollower.markStart(job, migration, index).encode());
            }
            report.resumedAfterKeys = migration.checkpoint().sources.get(index).keysScanned;
            if (report.resumedAfterKeys > 0) {
                ctx.log.println("resuming after " + report.resumedAfterKeys + " scanned keys");
            }
            ctx.log.println("copying source " + sourceName + (parts == 1 ? "" : ", shard " + part + "/" + parts) + " (checkpoint " + TargetCheckpointStore.keyFor(id) + ")");
            ctx.stage(WorkerReport.COPYING);
            CopyResult result = migration.copySource(index, part, parts, p -> {
                report.copyProgress(p);
                report.undo.journalBytes = migration.journal() == null ? 0 : migration.journal().bytes();
                report.checkpoint = cursor(migration.checkpoint(), index);
                ctx.publisher.update(report);
            });
            report.undo.journalBytes = migration.journal() == null ? 0 : migration.journal().bytes();
            report.counts(result.total());
            report.keysScanned = result.keysScanned();
            report.percent = 100;
            report.etaSeconds = 0;
            report.checkpoint = "done";
            ctx.log.println("copied source " + sourceName + ": " + result.keysScanned() + " keys scanned, "
                    + result.total().keysWritten() + " written");
            ctx.stage(WorkerReport.COPIED);
            return OK;
        }
    }

    /** Verifies the target against every source under the policies; the result goes to the report. */
    public int verify() {
        return ctx.reporting(() -> ctx.retrying().run(attempt -> verifyOnce()));
    }

    /**
     * Follows one source's changes (spec.sync.mode Continuous), its part {@code part} of {@code parts}
     * (spec.worker.parallelism: a sync worker per part), until {@code stop} says so (the pod is told to stop), resuming
     * from the position saved in the target ({@link SyncWorker#forward}).
     */
    public int sync(String sourceName, int part, int parts, java.util.function.BooleanSupplier stop) {
        int index = sourceIndex(sourceName);
        if (index < 0) {
            return ctx.fail(INVALID_INPUT, "source " + sourceName + " is not in spec.sources");
        }
        if (part < 0 || part >= parts) {
            return ctx.fail(INVALID_INPUT, "shard " + part + "/" + parts + " does not exist; use K/N with 0 <= K < N");
        }
        return new SyncWorker(ctx).forward(index, part, parts, stop);
    }

    /** Follows the target's changes back into the first source ({@link SyncWorker#reverse}). */
    public int reverseSync(java.util.function.BooleanSupplier stop) {
        return new SyncWorker(ctx).reverse(stop);
    }

    /** Saves where the target stands as the reverse sync's position ({@link ReverseWorker#mark}). */
    public int reverseMark() {
        return new ReverseWorker(ctx).mark();
    }

    /** Brings the first source up to a target without change capture ({@link ReverseWorker#copy}). */
    public int reverseCopy() {
        return new ReverseWorker(ctx).copy();
    }

    /** Puts the target back from the undo journal ({@link UndoWorker#undo}). */
    public int undo() {
        return new UndoWorker(ctx).undo();
    }

    private int verifyOnce() {
        ctx.stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(job.migration(), job.spec(), job.secrets()).keepingListBases(job.checkpointId())) {
            if (job.repair()) {
                ctx.journalAsTheCopy(migration, job);
            }
            migration.prepare();
            ctx.stage(WorkerReport.VERIFYING);
            VerifyResult result = migration.verify(p -> {
                report.verifyProgress(p);
                ctx.publisher.update(report);
            }, job.repair(), job.dualWrite());
            report.verifyResult(result);
            ctx.log.println("verified: " + result.keysChecked() + " keys checked, " + result.mismatches() + " differ, "
                    + result.missing() + " missing, " + result.repaired() + " repaired");
            if (result.clean()) { // the copies are done and exact: their checkpoints are not needed any more
                long removed = TargetCheckpointStore.remove(migration.target(), checkpointIds())
                        + io.keyferry.engine.StateCleanup.forgetNoJournal(migration.target(), job.checkpointId());
                if (removed > 0) {
                    ctx.log.println("removed the copies' " + removed + " checkpoint keys from the target");
                }
            }
            ctx.stage(WorkerReport.VERIFIED);
            return OK;
        }
    }

    /** The ids of every copy checkpoint of this migration: one per source, or per part of each with parallelism. */
    private java.util.List<String> checkpointIds() {
        Integer parallelism = job.spec().getWorker().getParallelism();
        return io.keyferry.engine.StateCleanup.copyCheckpoints(job.checkpointId(),
                job.spec().getSources().stream().map(SourceSpec::getName).toList(),
                parallelism == null || parallelism < 1 ? 1 : parallelism);
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
}
