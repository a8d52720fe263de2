package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import io.keyferry.api.UndoStatus;
import io.keyferry.engine.StateCleanup;
import io.keyferry.engine.undo.TargetSegmentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the operator itself removes from the target or the journal's store (spec.undo.store), after a decision and
 * before its status is recorded:
 * <ul>
 *   <li>Once the migration finished ({@link #finishedAt}) and no copy, verification or sync worker runs: its copy
 *   checkpoints, live sync positions and a decision of no journal, from the target by name
 *   ({@link StateCleanup#removeFinished}); status.stateRemovedAt records it (Event StateRemoved), and a rollback from
 *   TargetOnly clears it.</li>
 *   <li>With spec.undo.retainSeconds: the undo journal ({@code keyferry:undo:{<uid>}*}) once the migration has been
 *   finished that long ({@link #finishedAt}), and no copy, verification or sync worker runs (a sync worker journals
 *   too). status.undo.retainedUntil says when it is due, status.undo.removedAt when it was removed (with an Event
 *   JournalRemoved); an abort is refused from then on. Unset: the journal stays until the resource is deleted.</li>
 *   <li>When an abort is first recorded as Aborted: the undo worker's "undone" marker, which it kept so that a pod lost
 *   before reporting leaves the next one the proof that the undo was done. The Job's success is the evidence from then
 *   on, so removing it before the status says Aborted loses nothing.</li>
 * </ul>
 * A store that cannot be reached is tried again every {@link #RETRY} (a Warning Event when the reason changes); the
 * status is written as decided meanwhile.
 */
final class JournalRetention {
    static final Duration RETRY = Duration.ofSeconds(30);
    /** While a worker still runs at the due time: looked at again this soon. */
    private static final Duration WORKERS_STOPPING = Duration.ofSeconds(2);

    /** What to remove now. */
    enum Removal { NONE, JOURNAL, MARKER, STATE }

    /** The decision with status.undo.retainedUntil and the requeue set, and what to remove now. */
    record Plan(Decider.Decision decision, Removal removal) {}

    private final Map<String, String> told = new ConcurrentHashMap<>();

    /**
     * When the migration finished, or null while it has not: a one-shot migration (without Continuous sync, which
     * follows until the resource goes) when Ready became True with reason Succeeded; a cutover when TargetOnly came
     * in force, plus spec.sync.stopAfterSeconds with Continuous sync (the sync workers stop then). Not while aborting
     * or aborted, failed, or after a rollback from TargetOnly.
     */
    static Instant finishedAt(DataMigrationSpec spec, DataMigrationStatus status) {
        if (status.getStage() == Stage.ABORTING || status.getStage() == Stage.ABORTED || status.getStage() == Stage.FAILED) {
            return null;
        }
        boolean continuous = spec.getSync() != null && spec.getSync().continuous();
        if (spec.getCutover() == null) {
            Condition ready = Conditions.find(status.getConditions(), Conditions.READY);
            if (continuous || ready == null || !"True".equals(ready.getStatus()) || !"Succeeded".equals(ready.getReason())) {
                return null;
            }
            try {
                return Instant.parse(ready.getLastTransitionTime());
            } catch (RuntimeException e) {
                return null;
            }
        }
        if (status.getPhase() != Phase.TARGET_ONLY) {
            return null;
        }
        Instant since = SyncStages.targetOnlySince(status.getRollback());
        return continuous ? since.plusSeconds(SyncStages.stopAfter(spec)) : since;
    }

    /** Pure: what the decision leads to here. */
    static Plan plan(DataMigration dm, Decider.Decision decision, List<WorkerRun> runs, Instant now) {
        DataMigrationStatus next = decision.status();
        Stage was = dm.getStatus() == null ? null : dm.getStatus().getStage();
        if (next.getStage() == Stage.ABORTED && was != Stage.ABORTED) {
            return new Plan(decision, Removal.MARKER);
        }
        DataMigrationSpec spec = dm.getSpec();
        boolean working = runs.stream().anyMatch(r -> r.state() == WorkerRun.State.ACTIVE && (r.stage() == WorkerJobs.Stage.COPY
                || r.stage() == WorkerJobs.Stage.VERIFY || r.stage() == WorkerJobs.Stage.SYNC));
        Instant finished = finishedAt(spec, next);
        if (finished == null) {
            next.setStateRemovedAt(null); // a rollback from TargetOnly: the sync saves positions again
        } else if (next.getStateRemovedAt() == null && !now.isBefore(finished)) {
            return working ? new Plan(withRequeue(decision, WORKERS_STOPPING), Removal.NONE) : new Plan(decision, Removal.STATE);
        }
        UndoStatus undo = next.getUndo();
        Long retain = spec.getUndo().getRetainSeconds();
        if (retain == null || undo == null || undo.removedAt() != null || !AbortStage.journaled(spec, next)) {
            return new Plan(decision, Removal.NONE);
        }
        if (finished == null) {
            next.setUndo(undo.withRetention(null, null)); // not finished (any more): no removal is due
            return new Plan(decision, Removal.NONE);
        }
        Instant due = finished.plusSeconds(retain);
        next.setUndo(undo.withRetention(due.toString(), null));
        if (now.isBefore(due) || working) {
            return new Plan(withRequeue(decision, now.isBefore(due) ? Duration.between(now, due) : WORKERS_STOPPING),
                    Removal.NONE);
        }
        return new Plan(decision, Removal.JOURNAL);
    }

    /** Carries the plan's removal out against the journal's store; returns the decision to record. */
    Decider.Decision carryOut(KubernetesClient client, DataMigration dm, Plan plan, Instant now) {
        if (plan.removal() == Removal.NONE) {
            return plan.decision();
        }
        if (plan.removal() == Removal.STATE) {
            return removeState(client, dm, plan.decision(), now);
        }
        String uid = dm.getMetadata().getUid();
        EndpointSpec store = dm.getSpec().getUndo().getStore();
        EndpointSpec where = store != null ? store : dm.getSpec().getTarget().getEndpoint();
        String field = store != null ? "spec.undo.store" : "spec.target.endpoint";
        KubernetesSecretResolver secrets = new KubernetesSecretResolver(client, dm.getMetadata().getNamespace());
        Decider.Decision d = plan.decision();
        long removed;
        try {
            removed = plan.removal() == Removal.MARKER
                    ? StateCleanup.removeKeys(where, field, secrets, List.of(TargetSegmentStore.undoneKey(uid)))
                    : StateCleanup.removeMatching(where, field, secrets, StateCleanup.journalPattern(uid), null);
        } catch (RuntimeException e) {
            String message = plan.removal() == Removal.MARKER
                    ? "cannot remove the undo worker's marker " + TargetSegmentStore.undoneKey(uid) + " from " + field + ": "
                    + e.getMessage() + "; it stays there (delete it by hand; spec.cleanup: Delete removes it with the resource)"
                    : "cannot remove the undo journal after spec.undo.retainSeconds from " + field + ": " + e.getMessage()
                    + "; tried again every " + RETRY.toSeconds() + " s";
            if (!message.equals(told.put(uid, message))) { // at once: the status may not change
                Events.emit(client, dm, Decider.Event.warning("JournalRemovalFailed", message), now);
            }
            return plan.removal() == Removal.MARKER ? d : withRequeue(d, RETRY);
        }
        told.remove(uid);
        if (plan.removal() == Removal.MARKER) {
            return d;
        }
        UndoStatus undo = d.status().getUndo();
        d.status().setUndo(undo.withRetention(undo.retainedUntil(), now.toString()));
        d = withRequeue(d, null);
        d.events().add(Decider.Event.normal("JournalRemoved", "removed the undo journal (" + removed + " keys) from "
                + field + ", spec.undo.retainSeconds (" + dm.getSpec().getUndo().getRetainSeconds() + " s) after the"
                + " migration finished; an abort is no longer possible"));
        return d;
    }

    /**
     * The finished migration's copy checkpoints, live sync positions and a decision of no journal, removed from the
     * target by name; status.stateRemovedAt records it, with an Event StateRemoved. Looked at again at once, for the
     * journal's removal that may be due too.
     */
    private Decider.Decision removeState(KubernetesClient client, DataMigration dm, Decider.Decision d, Instant now) {
        String uid = dm.getMetadata().getUid();
        DataMigrationSpec spec = dm.getSpec();
        long removed;
        try {
            removed = StateCleanup.removeFinished(spec.getTarget().getEndpoint(),
                    new KubernetesSecretResolver(client, dm.getMetadata().getNamespace()), uid,
                    spec.getSources().stream().map(io.keyferry.api.SourceSpec::getName).toList(),
                    WorkerJobs.shards(Decider.effective(spec)));
        } catch (RuntimeException e) {
            String message = "cannot remove the finished migration's checkpoints from spec.target.endpoint: "
                    + e.getMessage() + "; tried again every " + RETRY.toSeconds() + " s";
            if (!message.equals(told.put(uid, message))) {
                Events.emit(client, dm, Decider.Event.warning("StateRemovalFailed", message), now);
            }
            return withRequeue(d, RETRY);
        }
        told.remove(uid);
        d.status().setStateRemovedAt(now.toString());
        d = withRequeue(d, Duration.ofSeconds(1));
        d.events().add(Decider.Event.normal("StateRemoved", "the migration finished: removed its checkpoints and live"
                + " sync positions from the target (" + removed + " keys)"));
        return d;
    }

    /** The decision with its events in a list of its own, looked at again within {@code wait} (null: as it was). */
    private static Decider.Decision withRequeue(Decider.Decision d, Duration wait) {
        Duration requeue = wait == null ? d.requeue() : d.requeue() == null || wait.compareTo(d.requeue()) < 0 ? wait : d.requeue();
        return new Decider.Decision(d.status(), d.creates(), d.obsolete(), d.step(), d.rewriteFlag(),
                new ArrayList<>(d.events()), requeue, d.pruned());
    }
}
