package io.keyferry.worker;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.Migration;
import io.keyferry.engine.sync.ReverseSpec;
import io.keyferry.engine.verify.VerifyResult;

/** The reverse sync's short stages: where the target stands (the mark), and the reverse copy of a target without change capture. */
final class ReverseWorker {
    private final WorkerContext ctx;

    ReverseWorker(WorkerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Saves where the target stands now as the reverse sync's position, in the first source (while ReadTarget is in
     * force: the application still writes both stores), so the reverse sync that starts with TargetOnly misses no write
     * the target takes from the flag's move on. Replaces an older position (of an earlier TargetOnly). Where the target
     * cannot be followed (a Pika target: no change capture) nothing is saved and the report's stage says
     * {@link WorkerReport#NO_CHANGE_CAPTURE}: a rollback from TargetOnly then runs {@link #copy} first. Exit 0 when
     * saved (or not needed), 2 when the reverse sync cannot be carried out (a renamed key range), 3 on a fault.
     */
    int mark() {
        ctx.report.source = ReverseSpec.NAME;
        return ctx.reporting(() -> {
            DataMigrationSpec reversed = ReverseSpec.of(ctx.job.spec());
            ctx.stage(WorkerReport.PROBING);
            try (Migration migration = Migration.verifyOnly(ctx.job.migration(), reversed, ctx.job.secrets())) {
                java.util.List<String> problems = io.keyferry.engine.sync.FollowCheck.problems(reversed, migration.prepare());
                if (!problems.isEmpty()) { // no change capture: a rollback from TargetOnly runs a reverse copy instead
                    ctx.log.println("the target cannot be followed (" + String.join("; ", problems) + "): a rollback from"
                            + " TargetOnly first copies and verifies the first source against it with repair");
                    ctx.stage(WorkerReport.NO_CHANGE_CAPTURE);
                    return Worker.OK;
                }
                Worker.Job r = new Worker.Job(ctx.job.migration(), ctx.job.checkpointId(), reversed, ctx.job.secrets(), false, false);
                ctx.log.println("the reverse sync starts from " + SyncFollower.markStart(r, migration, 0, true).encode()
                        + " of the target");
            }
            ctx.stage(WorkerReport.COPIED);
            return Worker.OK;
        });
    }

    /**
     * The first source brought up to the target, for a rollback from TargetOnly where the target has no change capture:
     * the migration turned around ({@link ReverseSpec}, Overwrite) is verified in full with repair, which copies every key
     * of the first source's key range that differs or is missing and deletes the keys of that range the target no longer
     * has (never KeyFerry's own keys, never keys outside the range); then a final full round with repair takes what the
     * application wrote to the target during the first. Exit 0 when the final round found the first source equal to the
     * target, 3 when not (a new pod runs it again), 2 when the reversed spec is unusable.
     */
    int copy() {
        ctx.report.source = ReverseSpec.NAME;
        return ctx.reporting(() -> {
            DataMigrationSpec reversed = ReverseSpec.of(ctx.job.spec());
            return ctx.retrying().run(attempt -> copyOnce(reversed));
        });
    }

    private int copyOnce(DataMigrationSpec reversed) {
        ctx.stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(ctx.job.migration(), reversed, ctx.job.secrets())) {
            migration.prepare();
            ctx.stage(WorkerReport.VERIFYING);
            VerifyResult result = null;
            for (int round = 1; round <= 2; round++) { // the second round: writes the target took during the first
                result = migration.rescan(p -> {
                    ctx.report.verifyProgress(p);
                    ctx.publisher.update(ctx.report);
                }, true);
                ctx.log.println("reverse copy, round " + round + ": " + result.keysChecked() + " keys checked, "
                        + result.repaired() + " repaired, " + result.mismatches() + " differ, " + result.missing() + " missing");
            }
            ctx.report.verifyResult(result);
            if (!result.clean()) {
                return ctx.fail(Worker.FAILED, "after the reverse copy " + (result.mismatches() + result.missing()) + " keys of the"
                        + " first source still differ from the target (the application writes them meanwhile?)");
            }
            ctx.stage(WorkerReport.VERIFIED);
            return Worker.OK;
        }
    }
}
