package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.SourceStatus;
import io.keyferry.api.Stage;
import io.keyferry.worker.WorkerReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One DataMigration's series, derived from the status the reconciler records and the worker runs it observed:
 * stage, phase and flag (one-hot), conditions, progress, ETA and rate, per-source counts, the last verification,
 * worker restarts; and counts of flag writes and guard blocks. Tagged {@code namespace} and {@code migration},
 * plus {@code source} where a value is one source's.
 */
final class MigrationMeters {
    static final String STAGE = "keyferry.migration.stage";
    static final String PHASE = "keyferry.migration.phase";
    static final String FLAG = "keyferry.migration.flag";
    static final String CONDITION = "keyferry.migration.condition";
    static final String PERCENT = "keyferry.migration.progress.percent";
    static final String ETA = "keyferry.migration.eta.seconds";
    static final String RATE = "keyferry.migration.keys.per.second";
    static final String SOURCE_PERCENT = "keyferry.source.progress.percent";
    static final String SOURCE_RATE = "keyferry.source.keys.per.second";
    static final String SCANNED = "keyferry.keys.scanned";
    static final String COPIED = "keyferry.keys.copied";
    static final String SKIPPED = "keyferry.keys.skipped";
    static final String BYTES = "keyferry.bytes.written";
    static final String CHECKED = "keyferry.verification.keys.checked";
    static final String MISMATCHES = "keyferry.verification.mismatches";
    static final String MISSING = "keyferry.verification.missing";
    static final String ROUND = "keyferry.verification.round";
    static final String MAX_MISMATCHES = "keyferry.verification.max.mismatches";
    static final String RESTARTS = "keyferry.worker.restarts";
    static final String SYNC_LAG = "keyferry.sync.lag.seconds";
    static final String REVERSE_LAG = "keyferry.reverse.sync.lag.seconds";
    static final String FLAG_WRITES = "keyferry.flag.writes";
    static final String GUARD_BLOCKS = "keyferry.guard.blocks";

    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry(STAGE, "1 for the stage the migration's data path is in (status.stage), 0 for the others."),
            Map.entry(PHASE, "1 for the cutover phase in force (status.phase), 0 for the others; only with spec.cutover."),
            Map.entry(FLAG, "1, labelled with the routing flag in force (status.flag)."),
            Map.entry(CONDITION, "1 when the status condition of this type is True, 0 when False."),
            Map.entry(PERCENT, "Share of the copy done, 0 to 100 (status.progress.percent)."),
            Map.entry(ETA, "Estimated seconds until the copy is done; absent when no worker is copying."),
            Map.entry(RATE, "Keys scanned per second, summed over the workers copying now."),
            Map.entry(SOURCE_PERCENT, "Share of this source copied, 0 to 100 (status.sources[].percent)."),
            Map.entry(SOURCE_RATE, "Keys per second the workers copying this source scan now."),
            Map.entry(SCANNED, "Keys read from this source by the current attempt's copy."),
            Map.entry(COPIED, "Keys of this source that changed the target (copied, overwritten, merged or filled)."),
            Map.entry(SKIPPED, "Keys of this source left untouched (Skip policy, or typeMismatch Skip)."),
            Map.entry(BYTES, "Bytes of this source's key data written to the target."),
            Map.entry(CHECKED, "Keys the last verification compared."),
            Map.entry(MISMATCHES, "Keys the last verification found different from what they should be."),
            Map.entry(MISSING, "Keys the last verification found absent from the target."),
            Map.entry(ROUND, "The run number of the last verification within the current attempt."),
            Map.entry(MAX_MISMATCHES, "spec.cutover.maxMismatches: the differences a cutover step tolerates."),
            Map.entry(SYNC_LAG, "Seconds this source's live sync is behind (status.sources[].sync.lagSeconds); only while its"
                    + " sync worker follows it (spec.sync.mode Continuous)."),
            Map.entry(REVERSE_LAG, "Seconds the reverse sync of the target into the first source is behind"
                    + " (status.reverseSync.lagSeconds); only while its worker follows (spec.cutover.reverseSync, TargetOnly)."),
            Map.entry(RESTARTS, "Worker pods that failed and were replaced by another pod of the same Job."),
            Map.entry(FLAG_WRITES, "Routing flag writes (phase transitions) this operator carried out."),
            Map.entry(GUARD_BLOCKS, "Times a requested phase transition was blocked (TransitionBlocked became True)."));

    private final MeterSet meters;
    private final Tags tags;
    private String blockedSince;
    private boolean observed;

    MigrationMeters(MeterRegistry registry, String namespace, String name) {
        this.meters = new MeterSet(registry, n -> HELP.getOrDefault(n, n));
        this.tags = Tags.of("namespace", namespace, "migration", name);
        meters.increment(FLAG_WRITES, tags, 0);
        meters.increment(GUARD_BLOCKS, tags, 0);
    }

    /** Replaces the derived series with what this status and these runs say. */
    synchronized void observe(DataMigration dm, DataMigrationStatus status, List<WorkerRun> runs) {
        Map<MeterSet.Key, Double> v = new LinkedHashMap<>();
        if (status.getStage() != null) {
            for (Stage s : Stage.values()) {
                gauge(v, STAGE, tags.and("stage", Decider.name(s)), s == status.getStage() ? 1 : 0);
            }
        }
        if (status.getPhase() != null) {
            for (Phase p : Phase.values()) {
                gauge(v, PHASE, tags.and("phase", Decider.name(p)), p == status.getPhase() ? 1 : 0);
            }
        }
        if (status.getFlag() != null) {
            gauge(v, FLAG, tags.and("flag", status.getFlag()), 1);
        }
        for (Condition c : status.getConditions()) {
            gauge(v, CONDITION, tags.and("type", c.getType()), "True".equals(c.getStatus()) ? 1 : 0);
        }
        progress(v, status);
        verification(v, dm, status);
        sources(v, dm, status, runs);
        restarts(v, dm, runs);
        meters.replace(v);
        guardBlocks(status);
    }

    /** A routing flag write this operator carried out for the migration. */
    synchronized void flagWritten() {
        meters.increment(FLAG_WRITES, tags, 1);
    }

    void clear() {
        meters.clear();
    }

    private void progress(Map<MeterSet.Key, Double> v, DataMigrationStatus status) {
        if (status.getProgress() == null) {
            return;
        }
        if (status.getProgress().percent() != null) {
            gauge(v, PERCENT, tags, status.getProgress().percent());
        }
        if (status.getProgress().keysPerSecond() != null) {
            gauge(v, RATE, tags, status.getProgress().keysPerSecond());
        }
        if (status.getProgress().etaSeconds() != null) {
            gauge(v, ETA, tags, status.getProgress().etaSeconds());
        }
    }

    private void verification(Map<MeterSet.Key, Double> v, DataMigration dm, DataMigrationStatus status) {
        if (status.getVerification() != null) {
            var ver = status.getVerification();
            gauge(v, CHECKED, tags, nz(ver.keysChecked()));
            gauge(v, MISMATCHES, tags, nz(ver.mismatches()));
            gauge(v, MISSING, tags, nz(ver.missing()));
            gauge(v, ROUND, tags, ver.round() == null ? 0 : ver.round());
        }
        if (dm.getSpec() != null && dm.getSpec().getCutover() != null && dm.getSpec().getCutover().getMaxMismatches() != null) {
            gauge(v, MAX_MISMATCHES, tags, dm.getSpec().getCutover().getMaxMismatches());
        }
    }

    /** Per source: its percent from the status, its counts and rate from the reports of its current copy. */
    private void sources(Map<MeterSet.Key, Double> v, DataMigration dm, DataMigrationStatus status, List<WorkerRun> runs) {
        for (SourceStatus s : status.getSources()) {
            if (s.name() != null && s.percent() != null) {
                gauge(v, SOURCE_PERCENT, tags.and("source", s.name()), s.percent());
            }
            if (s.name() != null && s.sync() != null && s.sync().lagSeconds() != null) {
                gauge(v, SYNC_LAG, tags.and("source", s.name()), s.sync().lagSeconds());
            }
        }
        if (status.getReverseSync() != null && status.getReverseSync().lagSeconds() != null) {
            gauge(v, REVERSE_LAG, tags, status.getReverseSync().lagSeconds());
        }
        List<SourceSpec> specs = dm.getSpec() == null || dm.getSpec().getSources() == null ? List.of() : dm.getSpec().getSources();
        for (int i = 0; i < specs.size(); i++) {
            WorkerReport r = currentCopy(runs, i);
            if (r == null || specs.get(i).getName() == null) {
                continue;
            }
            Tags source = tags.and("source", specs.get(i).getName());
            counter(v, SCANNED, source, r.keysScanned);
            counter(v, COPIED, source, r.keysWritten);
            counter(v, SKIPPED, source, r.keysSkipped);
            counter(v, BYTES, source, r.bytesWritten);
            gauge(v, SOURCE_RATE, source, r.keysPerSecond);
        }
    }

    /**
     * The summed reports of one source's current copy: of the attempt with a shard still running, or else of the
     * one that finished last (Jobs of an older attempt stay until they are pruned).
     */
    static WorkerReport currentCopy(List<WorkerRun> runs, int source) {
        Map<String, List<WorkerRun>> byAttempt = runs.stream()
                .filter(r -> r.stage() == WorkerJobs.Stage.COPY && r.source() == source && !r.deleting())
                .collect(Collectors.groupingBy(r -> String.valueOf(r.attempt())));
        Comparator<List<WorkerRun>> current = Comparator
                .<List<WorkerRun>, Boolean>comparing(l -> l.stream().anyMatch(r -> r.state() == WorkerRun.State.ACTIVE))
                .thenComparing(l -> l.stream().map(WorkerRun::finished).filter(java.util.Objects::nonNull)
                        .max(Comparator.naturalOrder()).orElse(java.time.Instant.EPOCH));
        return byAttempt.values().stream().max(current)
                .map(l -> WorkerRun.ofShards(l.toArray(WorkerRun[]::new)))
                .map(WorkerRun::report).orElse(null);
    }

    /** Failed pods followed by another pod, per worker: every Job of the migration, old attempts included. */
    private void restarts(Map<MeterSet.Key, Double> v, DataMigration dm, List<WorkerRun> runs) {
        Map<Tags, Double> sums = new LinkedHashMap<>();
        List<SourceSpec> specs = dm.getSpec() == null || dm.getSpec().getSources() == null ? List.of() : dm.getSpec().getSources();
        for (WorkerRun r : runs) {
            int restarted = r.podFailures() - (r.state() == WorkerRun.State.FAILED ? 1 : 0);
            String source = r.stage() == WorkerJobs.Stage.VERIFY ? "*"
                    : r.source() >= 0 && r.source() < specs.size() ? specs.get(r.source()).getName() : null;
            if (source != null) {
                Tags t = tags.and("worker", r.stage().label, "source", source);
                sums.merge(t, (double) Math.max(0, restarted), Double::sum);
            }
        }
        sums.forEach((t, n) -> counter(v, RESTARTS, t, n));
    }

    /** Counts a TransitionBlocked that became True since the last status; one already True when first seen is not counted. */
    private void guardBlocks(DataMigrationStatus status) {
        Condition c = Conditions.find(status.getConditions(), Conditions.TRANSITION_BLOCKED);
        String since = c != null && "True".equals(c.getStatus()) ? c.getLastTransitionTime() + " " + c.getReason() : null;
        if (since != null && observed && !since.equals(blockedSince)) {
            meters.increment(GUARD_BLOCKS, tags, 1);
        }
        blockedSince = since;
        observed = true;
    }

    private static void gauge(Map<MeterSet.Key, Double> v, String name, Tags tags, double value) {
        v.put(new MeterSet.Key(MeterSet.Kind.GAUGE, name, tags), value);
    }

    private static void counter(Map<MeterSet.Key, Double> v, String name, Tags tags, double value) {
        v.put(new MeterSet.Key(MeterSet.Kind.COUNTER, name, tags), value);
    }

    private static double nz(Long v) {
        return v == null ? 0 : v;
    }
}
