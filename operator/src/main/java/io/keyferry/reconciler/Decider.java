package io.keyferry.reconciler;

import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.FieldError;
import io.keyferry.api.Phase;
import io.keyferry.api.Policy;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.SourceStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.VerificationStatus;
import io.keyferry.api.VerifyMode;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The reconciler's decisions, as a pure function of what it observed: the status to record, the worker
 * Jobs to create (or, of a previous attempt, to delete), the cutover step to carry out, the Events to
 * emit and when to look again. Nothing here talks to Kubernetes or a store, so every rule is tested alone.
 */
public final class Decider {
    private static final int HISTORY_LIMIT = 50;

    private Decider() {}

    /**
     * @param invalid     problems with the spec (nothing is started while there are any)
     * @param runs        the migration's worker Jobs with their reports
     * @param flagInStore the routing flag's value in its store, or null (absent, or no cutover)
     */
    public record Observed(DataMigration dm, List<FieldError> invalid, List<WorkerRun> runs, String flagInStore) {}

    /** A worker Job to create. */
    /**
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

    static boolean repair(DataMigrationSpec spec) {
        Boolean set = spec.getVerify().getRepair();
        return set != null ? set : spec.getCutover() != null;
    }

    public static Decision decide(Observed o, Instant now) {
        DataMigration dm = o.dm();
        DataMigrationSpec spec = dm.getSpec();
        DataMigrationStatus old = dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
        long generation = dm.getMetadata().getGeneration() == null ? 0 : dm.getMetadata().getGeneration();
        DataMigrationStatus st = new DataMigrationStatus();
        st.setObservedGeneration(generation);
        st.setPhase(old.getPhase());
        st.setFlag(old.getFlag());
        st.setRollback(old.getRollback());
        Conditions conditions = new Conditions(old.getConditions(), generation, now);
        List<Event> events = new ArrayList<>();

        st.setCopyIdentity(old.getCopyIdentity());
        List<FieldError> invalid = new ArrayList<>(o.invalid());
        String identity = invalid.isEmpty() ? copyIdentity(spec) : null;
        if (identity != null && copyIdentity(spec, true).equals(old.getCopyIdentity())) {
            st.setCopyIdentity(identity); // recorded by the version before the canonical digest: the same copy
        } else if (identity != null && old.getCopyIdentity() != null && !identity.equals(old.getCopyIdentity())) {
            invalid.add(new FieldError("spec.sources", "spec.sources or spec.target changed after copying started; set them"
                    + " back, or create a new DataMigration to copy elsewhere (the target keeps what was copied)"));
        }
        if (!invalid.isEmpty()) {
            return invalid(invalid, old, st, conditions, events);
        }

        DataMigrationSpec effective = effective(spec);
        String attempt = WorkerJobs.attempt(effective);
        // Jobs an operator before the canonical digest started for the same attempt are this attempt's too.
        java.util.Set<String> attempts = java.util.Set.of(attempt, WorkerJobs.legacyAttempt(effective));
        List<WorkerRun> mine = o.runs().stream().filter(r -> attempts.contains(r.attempt())).toList();
        List<WorkerRun> stopping = o.runs().stream()
                .filter(r -> !attempts.contains(r.attempt()) && r.state() == WorkerRun.State.ACTIVE).toList();
        List<String> obsolete = stopping.stream().filter(r -> !r.deleting()).map(WorkerRun::jobName).toList();
        int sourceCount = spec.getSources().size();
        int shards = WorkerJobs.shards(effective);
        WorkerRun[][] shardRuns = new WorkerRun[sourceCount][shards];
        for (WorkerRun r : mine) {
            if (r.stage() == WorkerJobs.Stage.COPY && r.source() >= 0 && r.source() < sourceCount && r.shard() >= 0
                    && r.shard() < shards) {
                shardRuns[r.source()][r.shard()] = r;
            }
        }
        WorkerRun[] copies = new WorkerRun[sourceCount];
        for (int i = 0; i < sourceCount; i++) {
            copies[i] = WorkerRun.ofShards(shardRuns[i]);
        }
        List<WorkerRun> verifications = mine.stream().filter(r -> r.stage() == WorkerJobs.Stage.VERIFY)
                .sorted(Comparator.comparingInt(WorkerRun::run)).toList();
        WorkerRun lastVerify = verifications.isEmpty() ? null : verifications.get(verifications.size() - 1);
        boolean allCopied = java.util.Arrays.stream(copies).allMatch(r -> r != null && r.state() == WorkerRun.State.SUCCEEDED);
        // The last finished verification decides (a re-verification in progress does not erase what the last one found).
        WorkerRun lastFinished = verifications.stream().filter(r -> r.state() == WorkerRun.State.SUCCEEDED
                && r.report() != null && r.report().verification != null && r.report().verification.finished)
                .reduce((x, y) -> y).orElse(null);
        WorkerReport.Verification result = lastFinished == null ? null : lastFinished.report().verification;
        long differing = result == null ? 0 : result.mismatches + result.missing;
        boolean cutover = spec.getCutover() != null;
        long allowed = cutover ? spec.getCutover().getMaxMismatches() : 0;

        // The cutover ladder: one rung per reconcile, the flag written before the status records it.
        PhaseLadder.Step step = null;
        String rewriteFlag = null;
        String stalledBy = null; // a spec that no waiting can satisfy
        boolean settledPhase = true;
        Duration requeue = null;
        if (cutover) {
            List<Long> rounds = verifications.stream().filter(r -> r.report() != null && r.report().verification != null
                    && r.report().verification.finished).map(r -> r.report().verification.mismatches
                    + r.report().verification.missing).toList();
            PhaseLadder.Evidence evidence = new PhaseLadder.Evidence(allCopied, result != null, differing,
                    spec.getCutover().getMaxMismatches(), rounds);
            // The flag store, not status, is the truth: a flag of another phase than the recorded one is adopted (a
            // resource re-created by GitOps, restored without status, or a flag moved outside this operator), and
            // the ladder goes on from there; a value no phase writes stops everything, the flag untouched.
            String found = o.flagInStore();
            if (found != null && !found.equals(old.getFlag())) {
                Phase adopted = PhaseLadder.phaseOf(found);
                if (adopted == null) {
                    return unknownFlag(dm, st, conditions, events, found, now);
                }
                adopt(dm, st, events, adopted, found, now);
            }
            // A flag gone from the store is put back first (below); no step is taken from a value not there.
            PhaseLadder.Move move = found == null && st.getPhase() != null ? new PhaseLadder.Stay(st.getPhase())
                    : PhaseLadder.next(st.getPhase(), spec.getPhase(), evidence);
            if (move instanceof PhaseLadder.Step s) {
                step = s;
                settledPhase = false;
                requeue = Duration.ZERO;
                String reason = s.rollback() ? "rollback: spec.phase is " + name(spec.getPhase())
                        : "spec.phase is " + name(spec.getPhase());
                st.setPhase(s.to());
                st.setFlag(s.flag());
                record(st, new RollbackStatus.Transition(s.from(), s.to(), s.flag(), now.toString(),
                        s.warning() == null ? reason : reason + "; " + s.warning()));
                String what = (s.from() == null ? "" : name(s.from()) + " -> ") + name(s.to()) + ", flag " + s.flag();
                events.add(s.warning() != null ? Event.warning("RolledBack", what + ": " + s.warning())
                        : Event.normal(s.rollback() ? "RolledBack" : "PhaseChanged", what));
                conditions.set(Conditions.TRANSITION_BLOCKED, false, "Moving", what);
            } else if (move instanceof PhaseLadder.Blocked b) {
                settledPhase = false;
                String message = "spec.phase is " + name(b.desired()) + " but " + name(b.from()) + " stays in force: " + b.reason();
                conditions.set(Conditions.TRANSITION_BLOCKED, true, b.stalled() ? "RollbackTooFar" : "GuardNotMet", message);
                stalledBy = b.stalled() ? message : null;
                if (!message.equals(messageOf(old, Conditions.TRANSITION_BLOCKED, true))) {
                    events.add(Event.warning("TransitionBlocked", message));
                }
            } else {
                conditions.set(Conditions.TRANSITION_BLOCKED, false, "PhaseInForce",
                        name(st.getPhase()) + " is in force, flag " + st.getFlag());
                if (o.flagInStore() == null) { // gone from the store: put back, only where it is still absent
                    rewriteFlag = st.getFlag();
                    events.add(Event.warning("FlagDrift", "the routing flag " + spec.getCutover().getFlag().getKey()
                            + " held nothing instead of " + st.getFlag() + " (" + name(st.getPhase()) + "); it was written again"));
                }
            }
        }
        boolean jobsAllowed = (!cutover || st.getPhase() == Phase.DUAL_WRITE) && stopping.isEmpty();

        // The stages: the sources' copies in list order, then verification.
        List<Create> creates = new ArrayList<>();
        Stage stage = null;
        String failure = null;
        for (int i = 0; i < sourceCount && stage == null; i++) {
            WorkerRun r = copies[i];
            if (jobsAllowed && (r == null || r.state() == WorkerRun.State.ACTIVE)) {
                // Every shard of the source at once: they copy disjoint parts in parallel.
                for (int k = 0; k < shards; k++) {
                    if (shardRuns[i][k] == null) {
                        creates.add(new Create(WorkerJobs.Stage.COPY, i, k, 0, attempt, effective, false, cutover));
                    }
                }
            }
            if (r == null) {
                stage = jobsAllowed ? Stage.PROBING : Stage.PENDING;
            } else if (r.state() == WorkerRun.State.ACTIVE) {
                stage = r.report() != null && WorkerReport.COPYING.equals(r.report().stage) ? Stage.COPYING : Stage.PROBING;
            } else if (r.state() == WorkerRun.State.FAILED) {
                stage = Stage.FAILED;
                failure = "copying source " + spec.getSources().get(i).getName() + " failed: " + r.lastError();
            }
        }
        boolean verifyOff = spec.getVerify().getMode() == VerifyMode.OFF;
        boolean clean = false;
        if (stage == null && verifyOff) {
            stage = Stage.COPYING;
        } else if (stage == null) {
            if (lastVerify == null) {
                if (jobsAllowed) {
                    creates.add(new Create(WorkerJobs.Stage.VERIFY, -1, 0, 1, attempt, verification(spec), repair(spec), cutover));
                }
                stage = Stage.VERIFYING;
            } else if (lastVerify.state() == WorkerRun.State.ACTIVE) {
                stage = Stage.VERIFYING;
            } else if (lastVerify.state() == WorkerRun.State.FAILED) {
                stage = Stage.FAILED;
                failure = "verification failed: " + lastVerify.lastError();
            } else if (lastFinished != lastVerify) {
                stage = Stage.FAILED;
                failure = "the verification worker " + lastVerify.jobName() + " finished without reporting a result";
            } else if (differing <= allowed) {
                stage = Stage.VERIFIED;
                clean = true;
            } else if (cutover) {
                stage = Stage.VERIFYING;
                Instant due = lastVerify.finished().plusSeconds(spec.getCutover().getReverifySeconds());
                if (jobsAllowed && !now.isBefore(due)) {
                    creates.add(new Create(WorkerJobs.Stage.VERIFY, -1, 0, lastVerify.run() + 1, attempt, verification(spec),
                            repair(spec), true));
                } else if (jobsAllowed) {
                    requeue = min(requeue, Duration.between(now, due));
                }
            } else {
                stage = Stage.FAILED;
                failure = "verification found " + differing + " keys that differ (" + result.mismatches + " different, "
                        + result.missing + " missing); see status.verification.samples, then fix and bump spec.retryNonce";
            }
        }
        if (st.getCopyIdentity() == null && (creates.stream().anyMatch(c -> c.stage() == WorkerJobs.Stage.COPY)
                || java.util.Arrays.stream(copies).anyMatch(java.util.Objects::nonNull))) {
            st.setCopyIdentity(identity);
        }
        st.setStage(stage);
        st.setProgress(ProgressFolder.progress(copies));
        int starting = creates.stream().filter(c -> c.stage() == WorkerJobs.Stage.COPY).mapToInt(Create::source).findFirst().orElse(-1);
        st.setSources(sourceStatuses(spec, copies, stage, clean, starting));
        st.setVerification(verification(lastFinished != null ? lastFinished : lastVerify));

        // Conditions.
        if (allCopied) {
            conditions.set(Conditions.COPIED, true, "CopyFinished", "every source was copied");
        } else {
            conditions.set(Conditions.COPIED, false, stage == Stage.FAILED ? "Failed" : "InProgress",
                    stage == Stage.PENDING ? "waiting for spec.phase DualWrite" : "the copy has not finished");
        }
        if (verifyOff) {
            conditions.set(Conditions.VERIFIED, false, "VerificationOff", "spec.verify.mode is Off");
        } else if (result != null) {
            String counts = result.keysChecked + " keys checked, " + result.mismatches + " different, " + result.missing
                    + " missing" + (result.repaired > 0 ? ", " + result.repaired + " repaired" : "");
            conditions.set(Conditions.VERIFIED, clean, clean ? "Clean" : "Mismatches", counts);
        } else {
            conditions.set(Conditions.VERIFIED, false, "NotYet", "no verification has finished");
        }
        boolean done = !cutover && (stage == Stage.VERIFIED || (verifyOff && allCopied));
        if (stage == Stage.FAILED) {
            conditions.set(Conditions.STALLED, true, "Failed", failure);
            conditions.set(Conditions.READY, false, "Failed", failure);
            conditions.set(Conditions.RECONCILING, false, "Failed", "fix the cause, then change spec.retryNonce to try again");
        } else {
            conditions.set(Conditions.STALLED, stalledBy != null, stalledBy != null ? "RollbackTooFar" : "Progressing",
                    stalledBy != null ? stalledBy : "");
            boolean ready = done || (cutover && settledPhase && (st.getPhase() != Phase.DUAL_WRITE || clean || verifyOff && allCopied));
            String readyReason = cutover ? "PhaseInForce" : "Succeeded";
            String readyMessage = cutover ? name(st.getPhase()) + " is in force, flag " + st.getFlag() + rollbackWarning(st)
                    : verifyOff ? "copied; verification is Off" : "copied and verified";
            conditions.set(Conditions.READY, ready, ready ? readyReason : "InProgress", ready ? readyMessage : "stage " + name(stage));
            conditions.set(Conditions.RECONCILING, !ready, ready ? readyReason : "InProgress", ready ? "" : "stage " + name(stage));
        }
        st.setConditions(conditions.build());

        // Events for what changed.
        if (stage == Stage.FAILED && !Objects.equals(failure, messageOf(old, Conditions.STALLED, true))) {
            events.add(Event.warning("Failed", failure));
        }
        if (clean && old.getStage() != Stage.VERIFIED) {
            events.add(Event.normal("Verified", Conditions.find(st.getConditions(), Conditions.VERIFIED).getMessage()));
        }
        if (done && !Conditions.isTrue(old.getConditions(), Conditions.READY)) {
            events.add(Event.normal("Succeeded", Conditions.find(st.getConditions(), Conditions.READY).getMessage()));
        }
        return new Decision(st, creates, obsolete, step, rewriteFlag, events, requeue, pruned(o.runs(), attempts, verifications));
    }

    /** How soon an unusable flag store is tried again. */
    static final Duration FLAG_RETRY = Duration.ofSeconds(30);

    /**
     * The flag store could not be used (read or written): the phase in force stays, no worker starts on the
     * strength of a step that was not written, and the status says why. Conditions are set against the status
     * recorded before, so a store that stays unusable leaves the status as it is.
     */
    /** Puts {@code adopted}, the phase whose flag the store holds, in force without writing anything. */
    private static void adopt(DataMigration dm, DataMigrationStatus st, List<Event> events, Phase adopted, String flag,
                              Instant now) {
        Phase recorded = st.getPhase();
        String why = recorded == null
                ? "adopted: the flag store held " + flag + " and this resource had no recorded phase (re-created, or"
                        + " restored without its status)"
                : "adopted: the flag store held " + flag + " where " + name(recorded) + " (" + st.getFlag()
                        + ") was recorded; it was moved outside this operator";
        st.setPhase(adopted);
        st.setFlag(flag);
        record(st, new RollbackStatus.Transition(recorded, adopted, flag, now.toString(), why));
        events.add(Event.warning("Adopted", name(adopted) + " is in force (flag " + flag + "): " + why.substring(9)
                + "; spec.phase " + name(dm.getSpec().getPhase()) + " moves on from there"));
    }

    /** Adds a transition to status.rollback.history (the last {@value #HISTORY_LIMIT}) and says where a rollback leads. */
    private static void record(DataMigrationStatus st, RollbackStatus.Transition t) {
        List<RollbackStatus.Transition> history = new ArrayList<>(
                st.getRollback() == null || st.getRollback().history() == null ? List.of() : st.getRollback().history());
        history.add(t);
        while (history.size() > HISTORY_LIMIT) {
            history.remove(0);
        }
        Phase back = PhaseLadder.rollbackTarget(t.to());
        st.setRollback(new RollbackStatus(back, back == null ? null : PhaseLadder.flag(back), history));
    }

    /** The flag store holds a value no phase writes: nothing moves, nothing is written, until a person looks. */
    private static Decision unknownFlag(DataMigration dm, DataMigrationStatus st, Conditions conditions, List<Event> events,
                                        String found, Instant now) {
        DataMigrationStatus old = dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
        String message = "the routing flag " + dm.getSpec().getCutover().getFlag().getKey() + " holds '" + found
                + "', which is no phase's flag (1100 SourceOnly, 1101 DualWrite, 0111 ReadTarget, 0011 TargetOnly);"
                + " KeyFerry writes nothing to it and starts no worker. Find out where the application really reads and"
                + " writes, set the flag to that phase's value, and it is adopted";
        st.setStage(old.getStage() != null ? old.getStage() : Stage.PENDING);
        conditions.set(Conditions.STALLED, true, "UnknownFlag", message);
        conditions.set(Conditions.READY, false, "UnknownFlag", message);
        conditions.set(Conditions.RECONCILING, false, "UnknownFlag", "waiting for the flag to hold a phase's value");
        conditions.set(Conditions.TRANSITION_BLOCKED, true, "UnknownFlag", message);
        st.setConditions(conditions.build());
        if (!message.equals(messageOf(old, Conditions.STALLED, true))) {
            events.add(Event.warning("UnknownFlag", message));
        }
        return new Decision(st, List.of(), List.of(), null, null, events, FLAG_RETRY, List.of());
    }

    /**
     * The flag's compare-and-set found another value than expected (another writer: a second installation, a person,
     * a deposed leader): nothing was written; the next reconcile reads the store again and adopts what it holds.
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
                FLAG_RETRY, now);
    }

    private static DataMigrationStatus previous(DataMigration dm) {
        return dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
    }

    /** The decision with the flag left as it is: the phase in force and its history as they were. */
    private static Decision flagNotWritten(DataMigration dm, Decision d, String reason, String message, Duration retry,
                                           Instant now) {
        DataMigrationStatus previous = previous(dm);
        DataMigrationStatus st = d.status();
        st.setPhase(previous.getPhase());
        st.setFlag(previous.getFlag());
        st.setRollback(previous.getRollback());
        long generation = dm.getMetadata().getGeneration() == null ? 0 : dm.getMetadata().getGeneration();
        Conditions conditions = new Conditions(previous.getConditions(), generation, now);
        st.getConditions().forEach(c -> conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
        conditions.set(Conditions.TRANSITION_BLOCKED, true, reason, message);
        // Not Ready while the flag cannot be written (kstatus readers such as Flux see it).
        conditions.set(Conditions.READY, false, reason, message);
        conditions.set(Conditions.RECONCILING, true, reason, "retried every " + retry.toSeconds() + " s");
        st.setConditions(conditions.build());
        List<Event> events = new ArrayList<>(d.events().stream().filter(e -> !e.reason().equals("PhaseChanged")
                && !e.reason().equals("RolledBack") && !e.reason().equals("FlagDrift") && !e.reason().equals("Adopted")).toList());
        // Workers run only while DualWrite is really in force.
        List<Create> creates = previous.getPhase() == Phase.DUAL_WRITE ? d.creates() : List.of();
        if (!message.equals(messageOf(previous, Conditions.TRANSITION_BLOCKED, true))) {
            events.add(Event.warning(reason, message));
        }
        return new Decision(st, creates, d.obsolete(), null, null, events, retry, d.pruned());
    }

    private static Decision invalid(List<FieldError> invalid, DataMigrationStatus old, DataMigrationStatus st,
                                    Conditions conditions, List<Event> events) {
        String message = invalid.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        st.setStage(old.getStage() != null ? old.getStage() : Stage.PENDING);
        st.setProgress(old.getProgress());
        st.setSources(old.getSources());
        st.setVerification(old.getVerification());
        for (String kept : List.of(Conditions.COPIED, Conditions.VERIFIED, Conditions.TRANSITION_BLOCKED)) {
            io.fabric8.kubernetes.api.model.Condition c = Conditions.find(old.getConditions(), kept);
            if (c != null) {
                conditions.set(kept, "True".equals(c.getStatus()), c.getReason(), c.getMessage());
            }
        }
        conditions.set(Conditions.STALLED, true, "InvalidSpec", message);
        conditions.set(Conditions.READY, false, "InvalidSpec", message);
        conditions.set(Conditions.RECONCILING, false, "InvalidSpec", "nothing runs until the spec is fixed");
        st.setConditions(conditions.build());
        if (!message.equals(messageOf(old, Conditions.STALLED, true))) {
            events.add(Event.warning("InvalidSpec", message));
        }
        return new Decision(st, List.of(), List.of(), null, null, events, null, List.of());
    }

    private static List<String> pruned(List<WorkerRun> runs, java.util.Set<String> attempts, List<WorkerRun> verifications) {
        List<String> pruned = new ArrayList<>();
        runs.stream().filter(r -> !attempts.contains(r.attempt()) && r.state() != WorkerRun.State.ACTIVE && !r.deleting())
                .forEach(r -> pruned.add(r.jobName()));
        List<WorkerRun> finished = verifications.stream().filter(r -> r.state() != WorkerRun.State.ACTIVE && !r.deleting()).toList();
        finished.subList(0, Math.max(0, finished.size() - KEPT_VERIFICATIONS)).forEach(r -> pruned.add(r.jobName()));
        return pruned;
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

    private static List<SourceStatus> sourceStatuses(DataMigrationSpec spec, WorkerRun[] copies, Stage stage, boolean clean,
                                                     int starting) {
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
                case SUCCEEDED -> clean ? Stage.VERIFIED : stage == Stage.VERIFYING ? Stage.VERIFYING : Stage.COPYING;
                case ACTIVE -> rep != null && WorkerReport.COPYING.equals(rep.stage) ? Stage.COPYING : Stage.PROBING;
            };
            double percent = r.state() == WorkerRun.State.SUCCEEDED ? 100.0 : rep == null ? 0.0 : rep.percent;
            String error = r.state() == WorkerRun.State.FAILED ? r.lastError() : rep == null ? null : rep.error;
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

    /** While the phase entered by a rollback from TargetOnly is in force, Ready says what the old store missed. */
    private static String rollbackWarning(DataMigrationStatus st) {
        List<RollbackStatus.Transition> h = st.getRollback() == null ? null : st.getRollback().history();
        if (h == null || h.isEmpty()) {
            return "";
        }
        RollbackStatus.Transition last = h.get(h.size() - 1);
        return last.from() == Phase.TARGET_ONLY && last.to() == st.getPhase()
                ? "; rolled back from TargetOnly at " + last.at() + ": the old store missed the writes made while TargetOnly was in force"
                : "";
    }

    private static String messageOf(DataMigrationStatus old, String type, boolean status) {
        io.fabric8.kubernetes.api.model.Condition c = Conditions.find(old.getConditions(), type);
        return c != null && (status ? "True" : "False").equals(c.getStatus()) ? c.getMessage() : null;
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
