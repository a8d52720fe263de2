package io.keyferry.worker;

import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.Migration;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.sync.Follow;
import io.keyferry.engine.sync.FollowCheck;
import io.keyferry.engine.sync.Position;
import io.keyferry.engine.sync.TargetPositions;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A sync worker's follow of one source: from the position saved in the target (taken by the copy before its backfill,
 * then after every batch applied), its changed keys copied again under the policies until {@code stop} says so. With no
 * position saved, or one the source no longer holds, the target is first verified with repair (a rescan), so nothing
 * changed meanwhile is lost.
 */
final class SyncFollower {
    private final Worker.Job job;
    private final ReportPublisher publisher;
    private final WorkerReport report;
    private final PrintWriter log;

    SyncFollower(Worker.Job job, ReportPublisher publisher, WorkerReport report, PrintWriter log) {
        this.job = job;
        this.publisher = publisher;
        this.report = report;
        this.log = log;
    }

    /** Refuses what cannot be followed (a Pika source, say) as invalid input, naming the field; before anything is written. */
    static void check(Worker.Job job, CopyPlan plan) {
        List<String> problems = FollowCheck.problems(job.spec(), plan);
        if (!problems.isEmpty()) {
            throw new MigrationInputException("spec.sync.mode is Continuous, but " + String.join("; ", problems));
        }
    }

    /** Saves where source {@code index} stands now, unless a position is saved already: the copy's start. */
    static Position markStart(Worker.Job job, Migration m, int index) {
        return markStart(job, m, index, false);
    }

    /** @param replace save it even over a saved position (the reverse sync's start, taken anew before each TargetOnly) */
    static Position markStart(Worker.Job job, Migration m, int index, boolean replace) {
        TargetPositions positions = new TargetPositions(m.target(), job.checkpointId(), job.spec().getSources().get(index).getName());
        Position now = Follow.now(m, index, m::openRawSource);
        if (replace) {
            positions.save(now);
            return now;
        }
        return positions.saveIfAbsent(now) ? now : positions.load();
    }

    /**
     * Follows source {@code index} of a prepared migration (its part {@code part} of {@code parts}) until {@code stop};
     * throws what stopped it otherwise. A part without a position of its own yet starts from the source's, which its
     * copy saved before the backfill.
     */
    void follow(Migration m, int index, int part, int parts, BooleanSupplier stop) throws InterruptedException {
        String name = job.spec().getSources().get(index).getName();
        TargetPositions positions = new TargetPositions(m.target(), job.checkpointId(), name, part, parts);
        Position own = positions.load();
        Position from = own != null || parts == 1 ? own : new TargetPositions(m.target(), job.checkpointId(), name).load();
        report.sync = new WorkerReport.Sync();
        try (Follow follow = Follow.ofPart(job.spec(), m, index, part, parts, from, m::openRawSource)) {
            if (from == null) {
                log.println("no saved position of source " + name + " in the target (" + TargetPositions.keyFor(job.checkpointId(), name)
                        + "): what changed since its copy is not known, so the target is verified with repair first");
                rescan(m);
            }
            log.println("following source " + name + (parts == 1 ? "" : ", shard " + part + "/" + parts)
                    + (from == null ? " from now" : " from " + from.encode()));
            report.stage = WorkerReport.FOLLOWING;
            lag(follow.lag().get(0));
            publisher.publishNow(report);
            Position[] saved = {from};
            follow.run(stop, p -> {
                if (!p.get(0).equals(saved[0])) {
                    positions.save(p.get(0));
                    saved[0] = p.get(0);
                    report.sync.lastAppliedAt = Instant.now().toString();
                }
            }, lags -> {
                lag(lags.get(0));
                publisher.update(report);
            }, lost -> {
                log.println("the changes of source " + name + " since " + saved[0] + " are no longer available (backlog"
                        + " overwritten, write-ahead log recycled, or too many keys waited): verifying the target with repair");
                rescan(m);
            });
            lag(follow.lag().get(0));
        }
    }

    private void lag(Follow.Lag l) {
        report.sync.lagSeconds = Math.round(l.secondsBehind() * 1000) / 1000.0;
        report.sync.changesBehind = l.behind();
        report.sync.position = l.applied().encode();
        report.sync.keysApplied = l.keysApplied();
        if (l.caughtUpAt() > 0) {
            report.sync.caughtUpAt = Instant.ofEpochMilli(l.caughtUpAt()).toString();
        }
    }

    /**
     * Verifies the target with repair (for the reverse sync also deleting the first source's keys of its range that the
     * target no longer has), the report saying so meanwhile (the operator shows it, with an Event).
     */
    private void rescan(Migration m) {
        report.stage = WorkerReport.FOLLOWING;
        report.sync.rescans++;
        report.sync.rescanning = true;
        publisher.publishNow(report);
        // the reverse sync deletes too the keys of the first source's range that the target no longer has
        boolean reverse = io.keyferry.engine.sync.ReverseSpec.NAME.equals(job.spec().getSources().get(0).getName());
        VerifyResult r = m.rescan(p -> { }, reverse);
        report.sync.rescanning = false;
        publisher.publishNow(report);
        log.println("rescanned: " + r.keysChecked() + " keys checked, " + r.repaired() + " repaired");
    }
}
