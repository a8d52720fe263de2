package io.keyferry.worker;


/** An undo worker (spec.phase Aborted, spec.abort): puts the target back from the undo journal, then removes KeyFerry's keys. */
final class UndoWorker {
    private final WorkerContext ctx;

    UndoWorker(WorkerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Puts the target back from the undo journal (spec.phase Aborted, spec.abort), resuming after the segments an
     * earlier pod finished; then checks the target against the journal, and after a clean check removes every key of
     * KeyFerry's for this migration from the target (and spec.undo.store) but an undone marker, written first, that
     * tells a pod started after a lost one that the undo was done (it reports so, exit 0): the target is as before the
     * migration. Exits 2 where there is neither a journal nor the marker (nothing written) or keys still differ after the undo, 3 where it stopped part way.
     */
    int undo() {
        return ctx.reporting(() -> ctx.retrying().run(attempt -> undoOnce()));
    }

    private int undoOnce() {
        ctx.stage(WorkerReport.PROBING);
        String id = ctx.job.checkpointId();
        try (io.keyferry.engine.undo.UndoRun run = new io.keyferry.engine.undo.UndoRun(id, ctx.job.spec(), ctx.job.secrets(),
                target -> new io.keyferry.engine.undo.TargetSegmentStore(target.get(), id, true))) {
            run.prepare();
            WorkerReport.Undo undo = new WorkerReport.Undo();
            ctx.report.undo = undo;
            if (run.alreadyUndone() != null) { // an earlier pod was lost after its check, while removing the journal
                readSummary(run.alreadyUndone(), undo);
                ctx.log.println("an earlier worker put the target back and checked it (" + run.alreadyUndone()
                        + "), then was lost while removing the journal: finishing that");
                return undone(id);
            }
            undo.journalBytes = run.journalBytes();
            undo.segments = run.segments();
            undo.segmentsDone = run.segmentsDone();
            ctx.log.println("undo from a journal of " + undo.journalBytes + " bytes in " + undo.segments + " segments"
                    + (undo.segmentsDone > 0 ? ", resuming after " + undo.segmentsDone + " segments an earlier worker put back" : ""));
            ctx.stage(WorkerReport.UNDOING);
            io.keyferry.engine.undo.UndoResult done = run.restore(n -> {
                undo.segmentsDone = n;
                ctx.report.percent = undo.segments == 0 ? 100 : Math.min(100, Math.round(1000.0 * n / undo.segments) / 10.0);
                ctx.publisher.update(ctx.report);
            });
            undo.restored += done.restored();
            undo.deleted += done.deleted() + done.expired();
            io.keyferry.engine.undo.UndoResult checked = run.check();
            undo.checked = checked.checked();
            undo.mismatched = checked.mismatched();
            ctx.log.println("undone: " + done.restored() + " keys put back, " + (done.deleted() + done.expired())
                    + " deleted; checked " + checked.checked() + " keys, " + checked.mismatched() + " differ");
            if (!checked.clean()) {
                return ctx.fail(Worker.INVALID_INPUT, "after the undo " + checked.mismatched() + " keys still differ from the journal's"
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
        io.keyferry.api.EndpointSpec store = ctx.job.spec().getUndo().getStore();
        long removed = io.keyferry.engine.StateCleanup.removeMatching(ctx.job.spec().getTarget().getEndpoint(),
                "spec.target.endpoint", ctx.job.secrets(), io.keyferry.engine.StateCleanup.pattern(id), store == null ? marker : null);
        if (store != null) {
            removed += io.keyferry.engine.StateCleanup.removeMatching(store, "spec.undo.store", ctx.job.secrets(),
                    io.keyferry.engine.StateCleanup.pattern(id), marker);
        }
        ctx.log.println("removed " + removed + " keys of KeyFerry's (journal, checkpoints): the target is as before");
        ctx.report.percent = 100;
        ctx.stage(WorkerReport.UNDONE);
        return Worker.OK;
    }
}
