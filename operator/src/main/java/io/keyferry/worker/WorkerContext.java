package io.keyferry.worker;

import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import java.io.PrintWriter;
import java.util.function.IntSupplier;

/**
 * What every stage of a worker pod shares: its job, the report and where it goes, the log; how a stage reports a
 * failure, retries faults, and keeps the undo journal.
 */
final class WorkerContext {
    final Worker.Job job;
    final ReportPublisher publisher;
    final PrintWriter log;
    final WorkerReport report = new WorkerReport();

    WorkerContext(Worker.Job job, ReportPublisher publisher, PrintWriter log) {
        this.job = job;
        this.publisher = publisher;
        this.log = log;
    }

    /**
     * Faults of the network or a server are retried in the pod (spec.worker.retries, with pauses of 1, 2, 4, 8, 16 s),
     * each new attempt connecting again and resuming from the checkpoint, before the pod fails and the Job's
     * backoffLimit takes over: a connection reset costs a pause, not a pod.
     */
    io.keyferry.engine.Retrying retrying() {
        Integer retries = job.spec().getWorker().getRetries();
        return new io.keyferry.engine.Retrying(retries == null ? io.keyferry.engine.Retrying.DEFAULT_RETRIES : retries,
                message -> log.println("keyferry worker: " + message));
    }

    /** Runs a stage: unusable input exits {@link Worker#INVALID_INPUT}, any other failure {@link Worker#FAILED}, reported. */
    int reporting(IntSupplier stage) {
        try {
            return stage.getAsInt();
        } catch (MigrationInputException e) {
            return fail(Worker.INVALID_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(Worker.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * A copy worker keeps the undo journal (in the target, keyferry:undo:{<checkpoint id>}, or spec.undo.store) where
     * spec.undo.enabled is true, or unset and {@link UndoDefault} decided so for the whole migration; the decision and
     * the journal's size go to the report.
     */
    void journalIfAsked(Migration migration) {
        journal(migration, job, UndoDefault.decide(job.spec(), job.secrets(), job.checkpointId()));
    }

    /** A worker that writes after the copy (a verification's repairs and deletes, a live sync) follows its decision. */
    void journalAsTheCopy(Migration migration, Worker.Job j) {
        journal(migration, j, UndoDefault.decided(j.spec(), j.secrets(), j.checkpointId()));
    }

    private void journal(Migration migration, Worker.Job j, boolean journaling) {
        j.spec().getUndo().setEnabled(journaling);
        report.undo = new WorkerReport.Undo();
        report.undo.journaling = journaling;
        if (journaling) {
            migration.journalingUndo((target, undoStore) -> io.keyferry.engine.undo.UndoJournal.open(j.spec().getUndo(),
                    j.checkpointId(), undoStore, () -> new io.keyferry.engine.undo.TargetSegmentStore(target.get(),
                            j.checkpointId(), true)));
        }
    }

    void stage(String stage) {
        report.stage = stage;
        publisher.publishNow(report);
    }

    int fail(int code, String error) {
        log.println("keyferry worker: " + error);
        report.error = WorkerReport.clip(error, WorkerReport.ERROR_CHARS);
        report.stage = WorkerReport.FAILED;
        publisher.publishNow(report);
        return code;
    }
}
