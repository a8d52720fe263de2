package io.keyferry.reconciler;

import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.FieldError;
import io.keyferry.api.Phase;
import io.keyferry.api.Policy;
import io.keyferry.api.SourceStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.VerificationStatus;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;


/**
 * The reconciler's decisions, as a pure function of what it observed: the status to record, the worker
 * Jobs to create (or, of a previous attempt, to delete), the cutover step to carry out, the Events to
 * emit and when to look again. Nothing here talks to Kubernetes or a store, so every rule is tested alone.
 */
public final class Decider {
    private Decider() {}

    /**
     * A worker Job to create.
     * @param dualWrite the application writes both stores: a copy guards its writes, a verification also looks for
     *                  target keys no source has
     */
    public record Create(WorkerJobs.Stage stage, int source, int shard, int run, String attempt, DataMigrationSpec effective,
                         boolean repair, boolean dualWrite) {}

    public record Event(String type, String reason, String message) {
        static Event normal(String reason, String message) { return new Event("Normal", reason, message); }
        static Event warning(String reason, String message) { return new Event("Warning", reason, message); }
    }

    /**
     * @param step        the flag to write before the status is recorded, or null
     * @param rewriteFlag the flag in force, to write again because the store holds another value; or null
     * @param obsolete    active Jobs of a previous attempt not yet being deleted: to delete before the new attempt starts
     * @param requeue     when to look again without an event, or null
     * @param pruned      finished Jobs no longer needed, to delete with their report ConfigMaps: every finished Job of
     *                    an older attempt, and this attempt's verifications but the last {@value #KEPT_VERIFICATIONS}
     *                    (re-verification every reverifySeconds for a month keeps a constant number of objects)
     */
    public record Decision(DataMigrationStatus status, List<Create> creates, List<String> obsolete, PhaseLadder.Step step,
                           String rewriteFlag, List<Event> events, Duration requeue, List<String> pruned) {}

    static final int KEPT_VERIFICATIONS = 5;

    /** The spec the workers are given: while dual-writing, the backfill fills and verification repairs unless the spec says otherwise. */
    public static DataMigrationSpec effective(DataMigrationSpec spec) {
        if (spec.getCutover() == null) {
            return spec;
        }
        DataMigrationSpec e = new DataMigrationSpec();
        e.setSources(spec.getSources());
        e.setTarget(spec.getTarget());
        e.setPolicies(spec.getPolicies().withUnsetDefault(Policy.FILL));
        e.setVerify(spec.getVerify());
        e.setWorker(spec.getWorker());
        e.setSync(spec.getSync());
        e.setUndo(spec.getUndo());
        e.setRetryNonce(spec.getRetryNonce());
        return e;
    }

    /**
     * The spec a verification is given: while dual-writing the old store is the truth, so the types whose policy
     * the spec leaves unset are checked exactly (as Overwrite) and repaired by copying the source value again;
     * a one-shot migration is verified under its own policies.
     */
    public static DataMigrationSpec verification(DataMigrationSpec spec) {
        if (spec.getCutover() == null) {
            return spec;
        }
        DataMigrationSpec v = effective(spec);
        v.setPolicies(spec.getPolicies().withUnsetDefault(Policy.OVERWRITE));
        return v;
    }

    /**
     * The spec a sync worker is given: a verification's, since while dual-writing the old store is the truth, so a
     * followed change makes the target key what its sources hold (a key they no longer hold is deleted where the policy
     * is Overwrite).
     */
    public static DataMigrationSpec syncing(DataMigrationSpec spec) {
        return verification(spec);
    }

    static boolean repair(DataMigrationSpec spec) {
        Boolean set = spec.getVerify().getRepair();
        return set != null ? set : spec.getCutover() != null;
    }

    /** Decides once, from one snapshot: nothing here reads or writes anything. */
    public static Decision decide(Snapshot o, Instant now) {
        StatusDraft d = new StatusDraft(o.dm(), now);
        DataMigrationSpec spec = o.dm().getSpec();
        List<FieldError> invalid = new ArrayList<>(o.invalid());
        String identity = invalid.isEmpty() ? copyIdentity(spec) : null;
        if (identity != null && copyIdentity(spec, true).equals(d.old.getCopyIdentity())) {
            d.next.setCopyIdentity(identity); // recorded by the version before the canonical digest: the same copy
        } else if (identity != null && d.old.getCopyIdentity() != null && !identity.equals(d.old.getCopyIdentity())) {
            invalid.add(new FieldError("spec.sources", "spec.sources or spec.target changed after copying started; set them"
                    + " back, or create a new DataMigration to copy elsewhere (the target keeps what was copied)"));
        }
        if (!invalid.isEmpty()) {
            return invalid(o.dm(), invalid, now);
        }
        WorkerRuns runs = WorkerRuns.of(o.runs(), effective(spec));
        CutoverHandler.Cutover cut = CutoverHandler.Cutover.NONE;
        if (spec.getCutover() != null) {
            WorkerReport.Verification result = runs.result();
            List<io.keyferry.api.SyncStatus> lags = SyncStages.decide(spec, runs, null, null, false, now).lags();
            cut = CutoverHandler.decide(d, o, new PhaseLadder.Evidence(runs.allCopied(), result != null,
                    result == null ? 0 : result.mismatches + result.missing, spec.getCutover().getMaxMismatches(), runs.rounds(),
                    SyncStages.evidence(spec, lags), SyncStages.maxLagSeconds(spec),
                    ReverseStages.evidence(spec, runs, d.old, now)));
            if (cut.halted()) { // a flag no phase has: nothing runs, nothing is written
                d.next.setStage(d.old.getStage() != null ? d.old.getStage() : Stage.PENDING);
                DataMigrationStatus st = d.build();
                return new Decision(st, List.of(), List.of(), null, null, StatusEvents.between(o.dm(), d.old, st),
                        cut.requeue(), List.of());
            }
        }
        if (AbortStage.asked(spec) || d.old.getStage() == Stage.ABORTING) {
            return AbortStage.decide(o, d, runs, cut);
        }
        boolean jobsAllowed = (spec.getCutover() == null || cut.workersMayRun(d)) && runs.stopping().isEmpty();
        WorkerStages w = WorkerStages.decide(o, runs, jobsAllowed, now);
        SyncStages sync = w.stage() == Stage.FAILED ? SyncStages.NONE
                : SyncStages.decide(spec, runs, d.next.getPhase(), d.next.getRollback(), runs.stopping().isEmpty(), now);
        ReverseStages reverse = w.stage() == Stage.FAILED ? new ReverseStages(List.of(), List.of(), null)
                : ReverseStages.decide(spec, runs, d.next.getPhase(), d.old, runs.stopping().isEmpty(), now);
        List<Create> creates = new ArrayList<>(w.creates());
        creates.addAll(sync.creates());
        creates.addAll(reverse.creates());
        if (!creates.isEmpty() && !o.missingSecrets().isEmpty()) {
            return invalid(o.dm(), o.missingSecrets(), now); // a pod would wait for its volume for ever
        }
        if (d.next.getCopyIdentity() == null && (w.creates().stream().anyMatch(c -> c.stage() == WorkerJobs.Stage.COPY)
                || runs.anyCopyStarted())) {
            d.next.setCopyIdentity(identity);
        }
        d.next.setStage(w.stage());
        d.next.setProgress(ProgressFolder.progress(runs.copies()));
        int starting = w.creates().stream().filter(c -> c.stage() == WorkerJobs.Stage.COPY).mapToInt(Create::source)
                .findFirst().orElse(-1);
        d.next.setSources(sync.fold(sourceStatuses(spec, runs, w, starting)));
        d.next.setSyncLagSeconds(sync.maxLag());
        d.next.setReverseSync(reverse.status());
        d.next.setVerification(verification(runs.lastFinished() != null ? runs.lastFinished() : runs.lastVerify()));
        d.next.setUndo(AbortStage.journal(spec, runs, d.old.getUndo()));
        StatusConditions.set(d, runs, w, cut);
        DataMigrationStatus st = d.build();
        Duration requeue = cut.requeue() == null ? w.requeue() : w.requeue() == null ? cut.requeue() : min(cut.requeue(), w.requeue());
        if (sync.requeue() != null) {
            requeue = min(requeue, sync.requeue());
        }
        if (w.stage() != Stage.FAILED && runs.all().stream().anyMatch(r -> r.state() == WorkerRun.State.ACTIVE)) {
            requeue = min(requeue, WATCH_WORKERS); // a worker pod that never runs is diagnosed within this
        }
        List<String> pruned = new ArrayList<>(runs.pruned(KEPT_VERIFICATIONS));
        sync.stopped().stream().filter(j -> !pruned.contains(j)).forEach(pruned::add);
        reverse.stopped().stream().filter(j -> !pruned.contains(j)).forEach(pruned::add);
        return new Decision(st, creates, runs.obsolete(), cut.step(), cut.rewriteFlag(), StatusEvents.between(o.dm(), d.old, st),
                requeue, pruned);
    }

    /**
     * The status after a reconcile failed unexpectedly (JOSDK retries it with backoff): Reconciling says why, the rest
     * stays as recorded. Null when the status already says exactly that.
     */
    public static DataMigrationStatus reconcileError(DataMigration dm, Exception e, Instant now) {
        StatusDraft d = new StatusDraft(dm, now);
        String message = "the last reconcile failed and is retried with backoff: " + (e.getMessage() == null
                ? e.getClass().getSimpleName() : e.getMessage());
        message = message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
        io.fabric8.kubernetes.api.model.Condition was = Conditions.find(d.old.getConditions(), Conditions.RECONCILING);
        if (was != null && "ReconcileError".equals(was.getReason()) && message.equals(was.getMessage())) {
            return null;
        }
        DataMigrationStatus st = d.next; // the phase, flag, history and copy identity as recorded
        st.setObservedGeneration(d.old.getObservedGeneration());
        st.setStage(d.old.getStage());
        st.setProgress(d.old.getProgress());
        st.setSources(d.old.getSources());
        st.setVerification(d.old.getVerification());
        st.setUndo(d.old.getUndo());
        if (d.old.getConditions() != null) {
            d.old.getConditions().forEach(c -> d.conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
        }
        d.conditions.set(Conditions.RECONCILING, true, "ReconcileError", message);
        st.setConditions(d.conditions.build());
        return st;
    }

    /** How often a migration with a running worker is looked at again, so pods that never run are diagnosed in time. */
    static final Duration WATCH_WORKERS = Duration.ofSeconds(10);

    /**
     * The flag's compare-and-set found another value than expected (another writer: a second installation, a person,
     * a deposed leader), or the store failed the write: nothing was written, the phase in force stays as recorded, and
     * the next reconcile reads the store again (and adopts what it holds).
     */
    public static Decision flagConflict(DataMigration dm, Decision d, String found, Instant now) {
        String expected = d.step().from() == null ? "nothing" : PhaseLadder.flag(d.step().from());
        return flagNotWritten(dm, d, "FlagConflict", "the routing flag " + dm.getSpec().getCutover().getFlag().getKey()
                + " held " + (found == null ? "nothing" : "'" + found + "'") + " where " + expected + " was expected, so "
                + d.step().flag() + " was not written (another operator, a person or a deposed leader moved it); the phase"
                + " in force stays " + name(previous(dm).getPhase()) + " until the flag is read again", Duration.ofSeconds(1), now);
    }

    public static Decision flagUnavailable(DataMigration dm, Decision d, String error, Instant now) {
        return flagNotWritten(dm, d, "FlagStoreUnavailable", "the routing flag's store (spec.cutover.flag.endpoint) cannot"
                + " be used: " + error + "; the phase in force stays " + name(previous(dm).getPhase()) + " until it can",
                CutoverHandler.FLAG_RETRY, now);
    }

    private static DataMigrationStatus previous(DataMigration dm) {
        return dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
    }

    /** The decision with the flag left as it is: the phase in force and its history as they were. */
    private static Decision flagNotWritten(DataMigration dm, Decision d, String reason, String message, Duration retry,
                                           Instant now) {
        StatusDraft draft = new StatusDraft(dm, now);
        DataMigrationStatus st = d.status();
        st.setPhase(draft.old.getPhase());
        st.setFlag(draft.old.getFlag());
        st.setRollback(draft.old.getRollback());
        st.getConditions().forEach(c -> draft.conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
        draft.conditions.set(Conditions.TRANSITION_BLOCKED, true, reason, message);
        draft.conditions.set(Conditions.READY, false, reason, message); // kstatus readers such as Flux see it
        draft.conditions.set(Conditions.RECONCILING, true, reason, "retried every " + retry.toSeconds() + " s");
        st.setConditions(draft.conditions.build());
        // Workers run only while DualWrite is really in force.
        List<Create> creates = draft.old.getPhase() == Phase.DUAL_WRITE ? d.creates() : List.of();
        return new Decision(st, creates, d.obsolete(), null, null, StatusEvents.between(dm, draft.old, st), retry, d.pruned());
    }

    private static Decision invalid(DataMigration dm, List<FieldError> invalid, Instant now) {
        StatusDraft d = new StatusDraft(dm, now);
        String message = invalid.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        d.next.setStage(d.old.getStage() != null ? d.old.getStage() : Stage.PENDING);
        d.next.setProgress(d.old.getProgress());
        d.next.setSources(d.old.getSources());
        d.next.setVerification(d.old.getVerification());
        d.next.setUndo(d.old.getUndo());
        for (String kept : List.of(Conditions.COPIED, Conditions.VERIFIED, Conditions.TRANSITION_BLOCKED)) {
            io.fabric8.kubernetes.api.model.Condition c = Conditions.find(d.old.getConditions(), kept);
            if (c != null) {
                d.conditions.set(kept, "True".equals(c.getStatus()), c.getReason(), c.getMessage());
            }
        }
        d.conditions.set(Conditions.STALLED, true, "InvalidSpec", message);
        d.conditions.set(Conditions.READY, false, "InvalidSpec", message);
        d.conditions.set(Conditions.RECONCILING, false, "InvalidSpec", "nothing runs until the spec is fixed");
        DataMigrationStatus st = d.build();
        return new Decision(st, List.of(), List.of(), null, null, StatusEvents.between(dm, d.old, st), null, List.of());
    }

    /** What the copy writes where: the sources and the target (a change of either after the copy started is refused). */
    static String copyIdentity(DataMigrationSpec spec) {
        return copyIdentity(spec, false);
    }

    /** The copy identity, canonical or as the version before the canonical digest made it. */
    private static String copyIdentity(DataMigrationSpec spec, boolean legacy) {
        java.util.Map<String, Object> parts = new java.util.LinkedHashMap<>();
        parts.put("sources", spec.getSources());
        parts.put("target", spec.getTarget());
        return (legacy ? io.keyferry.api.SpecDigest.legacy(parts) : io.keyferry.api.SpecDigest.of(parts)).substring(0, 16);
    }

    private static List<SourceStatus> sourceStatuses(DataMigrationSpec spec, WorkerRuns runs, WorkerStages w, int starting) {
        WorkerRun[] copies = runs.copies();
        List<SourceStatus> out = new ArrayList<>();
        for (int i = 0; i < copies.length; i++) {
            WorkerRun r = copies[i];
            String name = spec.getSources().get(i).getName();
            if (r == null) {
                out.add(new SourceStatus(name, i == starting ? Stage.PROBING : Stage.PENDING, 0.0, null, null));
                continue;
            }
            WorkerReport rep = r.report();
            Stage s = switch (r.state()) {
                case FAILED -> Stage.FAILED;
                case SUCCEEDED -> w.clean() ? Stage.VERIFIED : w.stage() == Stage.VERIFYING ? Stage.VERIFYING : Stage.COPYING;
                case ACTIVE -> rep != null && WorkerReport.COPYING.equals(rep.stage) ? Stage.COPYING : Stage.PROBING;
            };
            double percent = r.state() == WorkerRun.State.SUCCEEDED ? 100.0 : rep == null ? 0.0 : rep.percent;
            String error = r.state() == WorkerRun.State.FAILED ? r.lastError() : rep == null ? null : rep.error;
            if (r.state() == WorkerRun.State.ACTIVE && w.problem() != null
                    && runs.jobsOf(i).stream().anyMatch(j -> j.jobName().equals(w.problem().jobName()))) {
                error = w.problem().reason() + ": " + w.problem().message();
            }
            out.add(new SourceStatus(name, s, percent, rep == null ? null : rep.checkpoint, error));
        }
        return out;
    }

    private static VerificationStatus verification(WorkerRun run) {
        if (run == null || run.report() == null || run.report().verification == null) {
            return null;
        }
        WorkerReport.Verification v = run.report().verification;
        List<VerificationStatus.Sample> samples = v.samples == null ? List.of()
                : v.samples.stream().map(s -> new VerificationStatus.Sample(s.key(), s.reason())).toList();
        return new VerificationStatus(run.run(), v.keysChecked, v.mismatches, v.missing, samples);
    }

    private static Duration min(Duration a, Duration b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }

    static String name(Enum<?> e) {
        if (e == null) {
            return "none";
        }
        try {
            com.fasterxml.jackson.annotation.JsonProperty p = e.getDeclaringClass().getField(e.name())
                    .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            return p != null ? p.value() : e.name();
        } catch (NoSuchFieldException x) {
            return e.name();
        }
    }
}
