package io.keyferry.worker;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.sync.ReverseSpec;

/** A sync worker: follows a source's changes into the target, or (reverse sync) the target's back into the first source. */
final class SyncWorker {
    private final WorkerContext ctx;

    SyncWorker(WorkerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Follows one source's changes (spec.sync.mode Continuous) until {@code stop} says so (the pod is told to stop),
     * resuming from the position saved in the target; its lag goes to the report. Exits 0 when stopped, 2 when the
     * source cannot be followed (a Pika source) or did what no follow can mirror (FLUSHALL, SWAPDB: following again would
     * stop there again), 3 when the follow broke off (a new pod resumes from the position).
     */
    int forward(int index, int part, int parts, java.util.function.BooleanSupplier stop) {
        return follow(ctx.job, index, part, parts, stop, null);
    }

    /**
     * Follows the target's changes back into the first source (spec.cutover.reverseSync, while TargetOnly is in force)
     * until {@code stop} says so: the migration turned around ({@link ReverseSpec}), everything under Overwrite, its
     * position kept in the first source. Without a saved position the first source is first verified against the target
     * with repair (a full reverse diff), so what the target took before the follow began reaches it too. Exit codes as
     * {@link #forward}; a target that cannot be followed (Pika) or a renamed key range is refused (2), naming the field.
     */
    int reverse(java.util.function.BooleanSupplier stop) {
        ctx.report.source = ReverseSpec.NAME;
        DataMigrationSpec reversed;
        try {
            reversed = ReverseSpec.of(ctx.job.spec());
        } catch (MigrationInputException e) {
            return ctx.fail(Worker.INVALID_INPUT, e.getMessage());
        }
        return follow(new Worker.Job(ctx.job.migration(), ctx.job.checkpointId(), reversed, ctx.job.secrets(), false, false), 0, 0, 1,
                stop, REVERSE_REFUSAL);
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
    private int follow(Worker.Job j, int index, int part, int parts, java.util.function.BooleanSupplier stop, String refusal) {
        String sourceName = j.spec().getSources().get(index).getName();
        ctx.report.source = sourceName;
        ctx.stage(WorkerReport.PROBING);
        try (Migration migration = Migration.verifyOnly(j.migration(), j.spec(), j.secrets())) {
            if (refusal == null) { // forward: its copies and deletes change the target (a reverse sync's go to a source)
                ctx.journalAsTheCopy(migration, j);
                migration.keepingListBases(j.checkpointId());
            }
            io.keyferry.engine.CopyPlan plan = migration.prepare();
            if (refusal == null) {
                SyncFollower.check(j, plan);
            } else {
                refuseReverse(j.spec(), plan);
            }
            new SyncFollower(j, ctx.publisher, ctx.report, ctx.log).follow(migration, index, part, parts, stop);
            ctx.log.println("stopped following source " + sourceName + (parts == 1 ? "" : ", shard " + part + "/" + parts)
                    + " at " + ctx.report.sync.position);
            ctx.publisher.publishNow(ctx.report);
            return Worker.OK;
        } catch (MigrationInputException e) {
            return ctx.fail(Worker.INVALID_INPUT, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ctx.fail(Worker.FAILED, "interrupted");
        } catch (RuntimeException e) {
            if (io.keyferry.engine.sync.Follow.unfollowable(e)) { // a new worker would stop at the same change again
                return ctx.fail(Worker.INVALID_INPUT, e.getMessage().replace("run again with --restart to copy afresh",
                        "change spec.retryNonce to copy afresh, or set spec.sync.mode to Once"));
            }
            return ctx.fail(Worker.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }
}
