package io.keyferry.reconciler;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.SyncStatus;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The live sync's part of a decision (spec.sync.mode Continuous): one long-running sync Job per source (per part of
 * it with spec.worker.parallelism) once its copy finished (every source's copy, with lists under Merge), restarted as a new run when it is lost (its Job failed, or is gone), and stopped (its Job deleted) once
 * TargetOnly has been in force for spec.sync.stopAfterSeconds (at once with spec.cutover.reverseSync, whose reverse
 * Job then follows the target back; a forward one starts again only once that is gone), when sync is set back to Once,
 * or outside the phases that follow (SourceOnly). A worker that refused its input (exit 2) is not restarted: its error stays in status.
 *
 * @param creates the sync Jobs to create
 * @param stopped sync Jobs to delete with their report ConfigMaps: stopped, or lost and replaced
 * @param lags    each source's sync status, null where no sync worker reported
 * @param errors  each source's sync worker that refused to go on (not restarted): why; null where none
 * @param requeue when TargetOnly will have been in force for stopAfterSeconds, or null
 */
record SyncStages(List<Decider.Create> creates, List<String> stopped, List<SyncStatus> lags, List<String> errors,
                  Duration requeue) {
    static final SyncStages NONE = new SyncStages(List.of(), List.of(), List.of(), List.of(), null);

    /**
     * @param phase   the phase in force after this decision's cutover step (null without a cutover)
     * @param history the transitions so far: when TargetOnly began is the last one into it
     * @param allowed no Job of another attempt is still stopping
     */
    static SyncStages decide(DataMigrationSpec spec, WorkerRuns runs, Phase phase, RollbackStatus history, boolean allowed,
                             Instant now) {
        boolean continuous = spec.getSync() != null && spec.getSync().continuous();
        Instant stopAt = continuous && phase == Phase.TARGET_ONLY ? targetOnlySince(history).plusSeconds(stopAfter(spec)) : null;
        boolean phaseFollows = spec.getCutover() == null || phase == Phase.DUAL_WRITE || phase == Phase.READ_TARGET
                || phase == Phase.TARGET_ONLY && stopAt != null && now.isBefore(stopAt) && !ReverseStages.on(spec);
        boolean wanted = continuous && phaseFollows;
        List<Decider.Create> creates = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        List<SyncStatus> lags = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        DataMigrationSpec effective = Decider.syncing(spec);
        // A changed list under Merge is cut back and every source's list appended again: not while another copies it.
        boolean mergedLists = spec.getPolicies() != null && spec.getPolicies().forType(io.keyferry.api.DataType.LIST)
                == io.keyferry.api.Policy.MERGE;
        int shards = WorkerJobs.shards(effective);
        for (int i = 0; i < spec.getSources().size(); i++) {
            boolean copied = mergedLists ? java.util.Arrays.stream(runs.copies()).allMatch(SyncStages::succeeded)
                    : succeeded(runs.copies()[i]);
            List<SyncStatus> partLags = new ArrayList<>();
            String error = null;
            for (int k = 0; k < shards; k++) {
                List<WorkerRun> syncs = runs.syncsOf(i, k);
                WorkerRun latest = syncs.stream().filter(r -> !r.deleting()).reduce((a, b) -> b).orElse(null);
                partLags.add(latest == null || latest.state() != WorkerRun.State.ACTIVE ? null : lag(latest.report(), now));
                if (error == null && wanted && latest != null && latest.state() == WorkerRun.State.FAILED && !lost(latest)) {
                    error = "the sync stopped: " + (shards == 1 ? "" : "shard " + k + "/" + shards + ": ") + latest.lastError();
                }
                for (WorkerRun r : syncs) { // a refused one stays, for its error and log, while sync is wanted
                    if (!r.deleting() && (!wanted || r != latest)) {
                        stopped.add(r.jobName());
                    }
                }
                if (wanted && allowed && copied && (latest == null || lost(latest)) && !ReverseStages.present(runs)) {
                    int run = syncs.stream().mapToInt(WorkerRun::run).max().orElse(0) + 1;
                    creates.add(new Decider.Create(WorkerJobs.Stage.SYNC, i, k, run, runs.attempt(), effective, false, false));
                    if (latest != null) {
                        stopped.add(latest.jobName());
                    }
                }
            }
            lags.add(SyncParts.fold(partLags));
            errors.add(error);
        }
        Duration requeue = wanted && stopAt != null ? Duration.between(now, stopAt) : null;
        return new SyncStages(creates, stopped, lags, errors, requeue);
    }

    private static boolean succeeded(WorkerRun copy) {
        return copy != null && copy.state() == WorkerRun.State.SUCCEEDED;
    }

    /** A sync worker that ended without being stopped: a new run replaces it, unless it refused its input. */
    static boolean lost(WorkerRun r) {
        return r.state() == WorkerRun.State.SUCCEEDED
                || r.state() == WorkerRun.State.FAILED && (r.failure() == null || !r.failure().startsWith("PodFailurePolicy"));
    }

    /**
     * A sync worker's lag as its report says, or null where it does not follow yet, or its report is older than
     * {@link #STALE} (a worker that stopped reporting: its last lag says nothing about now).
     */
    static SyncStatus lag(WorkerReport report, Instant now) {
        WorkerReport.Sync s = report == null ? null : report.sync;
        if (s == null || !WorkerReport.FOLLOWING.equals(report.stage) || stale(report.updatedAt, now)) {
            return null;
        }
        return new SyncStatus(s.rescanning ? null : s.lagSeconds, s.changesBehind, s.position, s.lastAppliedAt,
                s.rescans == 0 ? null : s.rescans, s.rescanning ? Boolean.TRUE : null);
    }

    /** A following worker's report is written at least every heartbeat; three missed ones make it stale. */
    static final Duration STALE = io.keyferry.worker.ReportPublisher.HEARTBEAT.multipliedBy(3);

    private static boolean stale(String updatedAt, Instant now) {
        try {
            return updatedAt == null || Instant.parse(updatedAt).plus(STALE).isBefore(now);
        } catch (java.time.format.DateTimeParseException e) {
            return true;
        }
    }

    /** The sources' status with each one's sync lag, and why its sync stopped where it did. */
    List<io.keyferry.api.SourceStatus> fold(List<io.keyferry.api.SourceStatus> sources) {
        List<io.keyferry.api.SourceStatus> out = new ArrayList<>(sources);
        for (int i = 0; i < out.size() && i < lags.size(); i++) {
            io.keyferry.api.SourceStatus s = out.get(i).withSync(lags.get(i));
            out.set(i, errors.get(i) == null ? s
                    : new io.keyferry.api.SourceStatus(s.name(), s.stage(), s.percent(), s.checkpoint(), errors.get(i), s.sync()));
        }
        return out;
    }

    /** spec.cutover.maxLagSeconds, or its default. */
    static int maxLagSeconds(DataMigrationSpec spec) {
        Integer m = spec.getCutover() == null ? null : spec.getCutover().getMaxLagSeconds();
        return m == null ? 1 : m;
    }

    /** The largest lag over the sources, or null when none reported. */
    Double maxLag() {
        return lags.stream().filter(java.util.Objects::nonNull).map(SyncStatus::lagSeconds).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null);
    }

    /** Each source's lag for the ReadTarget guard; empty without live sync. */
    static List<PhaseLadder.Lag> evidence(DataMigrationSpec spec, List<SyncStatus> lags) {
        if (spec.getSync() == null || !spec.getSync().continuous()) {
            return List.of();
        }
        List<PhaseLadder.Lag> out = new ArrayList<>();
        for (int i = 0; i < spec.getSources().size(); i++) {
            SyncStatus s = i < lags.size() ? lags.get(i) : null;
            out.add(new PhaseLadder.Lag(spec.getSources().get(i).getName(), s == null ? null : s.lagSeconds()));
        }
        return out;
    }

    static int stopAfter(DataMigrationSpec spec) {
        Integer s = spec.getSync().getStopAfterSeconds();
        return s == null ? 300 : s;
    }

    /** When TargetOnly was entered: the last transition into it (EPOCH when the history does not say). */
    static Instant targetOnlySince(RollbackStatus history) {
        if (history == null || history.history() == null) {
            return Instant.EPOCH;
        }
        for (int i = history.history().size() - 1; i >= 0; i--) {
            RollbackStatus.Transition t = history.history().get(i);
            if (t.to() == Phase.TARGET_ONLY) {
                try {
                    return Instant.parse(t.at());
                } catch (RuntimeException e) {
                    return Instant.EPOCH;
                }
            }
        }
        return Instant.EPOCH;
    }
}
