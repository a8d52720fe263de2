package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.SyncMode;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live sync's decisions (spec.sync.mode Continuous), as a pure function of the worker runs, the phase and the time. */
class SyncStagesTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private final DataMigrationSpec spec = continuous(DeciderTest.spec(true));
    private final String attempt = WorkerJobs.attempt(Decider.effective(spec));

    @Test
    void aSyncJobStartsOnceItsSourceIsCopiedAndALostOneIsReplacedByANewRun() {
        assertEquals(List.of(), decide(List.of(), Phase.DUAL_WRITE, NOW).creates(), "not before the copy");
        SyncStages first = decide(List.of(copied()), Phase.DUAL_WRITE, NOW);
        assertEquals(1, first.creates().size());
        Decider.Create c = first.creates().get(0);
        assertEquals(List.of(WorkerJobs.Stage.SYNC, 0, 1), List.of(c.stage(), c.source(), c.run()));

        SyncStages running = decide(List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, following(0.2, NOW))), Phase.DUAL_WRITE, NOW);
        assertEquals(List.of(), running.creates());
        assertEquals(List.of(), running.stopped());

        SyncStages lost = decide(List.of(copied(), sync(1, WorkerRun.State.FAILED, "BackoffLimitExceeded: too many", null)),
                Phase.DUAL_WRITE, NOW);
        assertEquals(List.of(2), lost.creates().stream().map(Decider.Create::run).toList(), "a new run, resuming from the position");
        assertEquals(List.of("m-sync-0-" + attempt + "-1"), lost.stopped(), "the failed one goes");

        SyncStages refused = decide(List.of(copied(), sync(1, WorkerRun.State.FAILED, "PodFailurePolicy: exit code 2", null)),
                Phase.DUAL_WRITE, NOW);
        assertEquals(List.of(), refused.creates(), "input the worker refused is not tried again");
        assertEquals("the sync stopped: PodFailurePolicy: exit code 2", refused.errors().get(0), "and status says why");
    }

    @Test
    void theSyncStopsOnceTargetOnlyHasBeenInForceForStopAfterSecondsOrSyncIsTurnedOff() {
        spec.getSync().setStopAfterSeconds(60);
        List<WorkerRun> runs = List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, following(0.0, NOW)));
        RollbackStatus history = new RollbackStatus(Phase.DUAL_WRITE, "1101", List.of(
                new RollbackStatus.Transition(Phase.READ_TARGET, Phase.TARGET_ONLY, "0011", NOW.toString(), "spec.phase")));
        SyncStages early = SyncStages.decide(spec, WorkerRuns.of(runs, Decider.effective(spec)), Phase.TARGET_ONLY, history,
                true, NOW.plusSeconds(20));
        assertEquals(List.of(), early.stopped());
        assertEquals(Duration.ofSeconds(40), early.requeue(), "looked at again when it is due");
        SyncStages due = SyncStages.decide(spec, WorkerRuns.of(runs, Decider.effective(spec)), Phase.TARGET_ONLY, history,
                true, NOW.plusSeconds(60));
        assertEquals(List.of("m-sync-0-" + attempt + "-1"), due.stopped());
        assertEquals(List.of(), due.creates());

        assertEquals(List.of("m-sync-0-" + attempt + "-1"), decide(runs, Phase.SOURCE_ONLY, NOW).stopped(), "rolled back to SourceOnly");
        spec.getSync().setMode(SyncMode.ONCE);
        assertEquals(List.of("m-sync-0-" + attempt + "-1"), decide(runs, Phase.DUAL_WRITE, NOW).stopped(), "sync turned off");
    }

    @Test
    void theLagIsTheFollowingWorkersReportAndAReportThatStoppedComingCountsAsNone() {
        SyncStages fresh = decide(List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, following(2.5, NOW.minusSeconds(10)))),
                Phase.DUAL_WRITE, NOW);
        assertEquals(2.5, fresh.lags().get(0).lagSeconds());
        assertEquals(2.5, fresh.maxLag());
        SyncStages stale = decide(List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, following(0.0, NOW.minusSeconds(120)))),
                Phase.DUAL_WRITE, NOW);
        assertNull(stale.lags().get(0));
        assertEquals(List.of(new PhaseLadder.Lag("a", null)), SyncStages.evidence(spec, stale.lags()));

        WorkerReport rescanning = following(0.0, NOW);
        rescanning.sync.rescans = 1;
        rescanning.sync.rescanning = true;
        SyncStages rescan = decide(List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, rescanning)), Phase.DUAL_WRITE, NOW);
        assertEquals(new io.keyferry.api.SyncStatus(null, 0L, "abc:10", null, 1L, true), rescan.lags().get(0),
                "no lag is known while the target is verified with repair");
    }

    @Test
    void aRescanIsAWarningEventOnce() {
        DataMigration dm = DeciderTest.dm(spec);
        WorkerReport rescanning = following(0.0, NOW);
        rescanning.sync.rescans = 1;
        List<WorkerRun> runs = List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, rescanning));
        Decider.Decision first = Decider.decide(Snapshot.of(dm, runs, "1101"), NOW);
        assertEquals(1, first.events().stream().filter(e -> e.reason().equals("SyncRescan")).count());
        dm.setStatus(first.status());
        Decider.Decision again = Decider.decide(Snapshot.of(dm, runs, "1101"), NOW.plusSeconds(1));
        assertEquals(0, again.events().stream().filter(e -> e.reason().equals("SyncRescan")).count());
    }

    @Test
    void readTargetWaitsUntilEveryLagIsBelowMaxLagSeconds() {
        spec.setPhase(Phase.READ_TARGET);
        DataMigration behind = DeciderTest.dm(spec);
        Decider.Decision blocked = Decider.decide(Snapshot.of(behind, runs(3.0), "1101"), NOW);
        assertNull(blocked.step());
        String message = blocked.status().getConditions().stream().filter(c -> c.getType().equals("TransitionBlocked"))
                .findFirst().orElseThrow().getMessage();
        assertTrue(message.contains("the live sync is behind: source a lags 3.0 s; spec.cutover.maxLagSeconds is 1 s"), message);
        assertEquals(3.0, blocked.status().getSyncLagSeconds());
        assertEquals(3.0, blocked.status().getSources().get(0).sync().lagSeconds());

        Decider.Decision moved = Decider.decide(Snapshot.of(DeciderTest.dm(spec), runs(0.0), "1101"), NOW);
        assertEquals(Phase.READ_TARGET, moved.step().to(), "lag 0: the guard passes");
    }

    private List<WorkerRun> runs(double lag) {
        List<WorkerRun> runs = new ArrayList<>(List.of(copied(), sync(1, WorkerRun.State.ACTIVE, null, following(lag, NOW))));
        WorkerReport clean = new WorkerReport();
        clean.stage = WorkerReport.VERIFIED;
        clean.verification = new WorkerReport.Verification();
        clean.verification.finished = true;
        runs.add(new WorkerRun("m-verify-" + attempt + "-1", WorkerJobs.Stage.VERIFY, -1, attempt, 1, WorkerRun.State.SUCCEEDED,
                null, NOW, clean));
        return runs;
    }

    /** Under Merge a changed list is cut back and every source's list appended again: no sync while a copy runs. */
    @Test
    void withListsUnderMergeTheSyncWaitsForEverySourcesCopy() {
        DataMigrationSpec two = continuous(DeciderTest.spec(true));
        io.keyferry.api.SourceSpec b = new io.keyferry.api.SourceSpec();
        b.setName("b");
        b.setEndpoint(two.getSources().get(0).getEndpoint());
        two.setSources(List.of(two.getSources().get(0), b));
        String at = WorkerJobs.attempt(Decider.effective(two));
        WorkerRun firstCopied = new WorkerRun("m-copy-0-" + at, WorkerJobs.Stage.COPY, 0, at, 0, WorkerRun.State.SUCCEEDED, null, NOW, null);
        WorkerRun secondCopying = new WorkerRun("m-copy-1-" + at, WorkerJobs.Stage.COPY, 1, at, 0, WorkerRun.State.ACTIVE, null, null, null);
        List<WorkerRun> runs = List.of(firstCopied, secondCopying);
        assertEquals(List.of(0), SyncStages.decide(two, WorkerRuns.of(runs, Decider.effective(two)), Phase.DUAL_WRITE, null, true, NOW)
                .creates().stream().map(Decider.Create::source).toList(), "a source copied is followed at once");

        two.getPolicies().setList(io.keyferry.api.Policy.MERGE);
        String merged = WorkerJobs.attempt(Decider.effective(two));
        List<WorkerRun> mergedRuns = List.of(
                new WorkerRun("m-copy-0-" + merged, WorkerJobs.Stage.COPY, 0, merged, 0, WorkerRun.State.SUCCEEDED, null, NOW, null),
                new WorkerRun("m-copy-1-" + merged, WorkerJobs.Stage.COPY, 1, merged, 0, WorkerRun.State.ACTIVE, null, null, null));
        assertEquals(List.of(), SyncStages.decide(two, WorkerRuns.of(mergedRuns, Decider.effective(two)), Phase.DUAL_WRITE, null,
                true, NOW).creates(), "not while the second source is copied");
        List<WorkerRun> allCopied = List.of(mergedRuns.get(0),
                new WorkerRun("m-copy-1-" + merged, WorkerJobs.Stage.COPY, 1, merged, 0, WorkerRun.State.SUCCEEDED, null, NOW, null));
        assertEquals(List.of(0, 1), SyncStages.decide(two, WorkerRuns.of(allCopied, Decider.effective(two)), Phase.DUAL_WRITE,
                null, true, NOW).creates().stream().map(Decider.Create::source).toList());
    }

    /** With spec.worker.parallelism a sync Job per part, once every part of the source is copied; status folds them. */
    @Test
    void aSyncJobPerPartOnceTheWholeSourceIsCopiedAndTheirStatusFolded() {
        spec.getWorker().setParallelism(2);
        String at = WorkerJobs.attempt(Decider.effective(spec));
        WorkerRun shard0 = part(WorkerJobs.Stage.COPY, 0, 0, WorkerRun.State.SUCCEEDED, null, NOW, null);
        WorkerRun shard1 = part(WorkerJobs.Stage.COPY, 1, 0, WorkerRun.State.ACTIVE, null, null, null);
        assertEquals(List.of(), decideWith(List.of(shard0, shard1)).creates(), "not while a part is copied");
        WorkerRun shard1Done = part(WorkerJobs.Stage.COPY, 1, 0, WorkerRun.State.SUCCEEDED, null, NOW, null);
        List<Decider.Create> creates = decideWith(List.of(shard0, shard1Done)).creates();
        assertEquals(List.of(0, 1), creates.stream().map(Decider.Create::shard).toList());

        WorkerReport behind = following(2.5, NOW);
        behind.sync.changesBehind = 40L;
        WorkerReport close = following(0.5, NOW);
        close.sync.changesBehind = 2L;
        close.sync.position = "def:7";
        List<WorkerRun> both = List.of(shard0, shard1Done,
                part(WorkerJobs.Stage.SYNC, 0, 1, WorkerRun.State.ACTIVE, null, null, behind),
                part(WorkerJobs.Stage.SYNC, 1, 1, WorkerRun.State.ACTIVE, null, null, close));
        SyncStages following = decideWith(both);
        assertEquals(List.of(), following.creates());
        io.keyferry.api.SyncStatus folded = following.lags().get(0);
        assertEquals(2.5, folded.lagSeconds(), "the part furthest behind");
        assertEquals(42L, folded.changesBehind());
        assertEquals("0/2 abc:10; 1/2 def:7", folded.position());

        List<WorkerRun> oneLost = List.of(shard0, shard1Done, both.get(2),
                part(WorkerJobs.Stage.SYNC, 1, 1, WorkerRun.State.FAILED, "BackoffLimitExceeded", NOW, null));
        SyncStages replaced = decideWith(oneLost);
        assertEquals(List.of("1:2"), replaced.creates().stream().map(c -> c.shard() + ":" + c.run()).toList(), "that part again, as run 2");
        assertEquals(null, replaced.lags().get(0).lagSeconds(), "not known while a part does not follow");
        assertEquals("m-sync-0s1-" + at + "-2", WorkerJobs.jobName(dm(), WorkerJobs.Stage.SYNC, 0, 1, 2, at, 2));
    }

    /** A Job of source 0's part {@code shard} of this attempt, named as the operator names it. */
    private WorkerRun part(WorkerJobs.Stage stage, int shard, int run, WorkerRun.State state, String failure, Instant finished,
                           WorkerReport report) {
        String at = WorkerJobs.attempt(Decider.effective(spec));
        return new WorkerRun(WorkerJobs.jobName(dm(), stage, 0, shard, 2, at, run), stage, 0, shard, at, run, state, failure,
                finished, report, false);
    }

    private SyncStages decideWith(List<WorkerRun> runs) {
        return SyncStages.decide(spec, WorkerRuns.of(runs, Decider.effective(spec)), Phase.DUAL_WRITE, null, true, NOW);
    }

    private static DataMigration dm() {
        DataMigration dm = new DataMigration();
        dm.getMetadata().setName("m");
        return dm;
    }

    private SyncStages decide(List<WorkerRun> runs, Phase phase, Instant now) {
        return SyncStages.decide(spec, WorkerRuns.of(runs, Decider.effective(spec)), phase, null, true, now);
    }

    private WorkerRun copied() {
        WorkerReport r = new WorkerReport();
        r.stage = WorkerReport.COPIED;
        return new WorkerRun("m-copy-0-" + attempt, WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.SUCCEEDED, null, NOW, r);
    }

    private WorkerRun sync(int run, WorkerRun.State state, String failure, WorkerReport report) {
        return new WorkerRun("m-sync-0-" + attempt + "-" + run, WorkerJobs.Stage.SYNC, 0, attempt, run, state, failure,
                state == WorkerRun.State.ACTIVE ? null : NOW, report);
    }

    private static WorkerReport following(double lag, Instant at) {
        WorkerReport r = new WorkerReport();
        r.stage = WorkerReport.FOLLOWING;
        r.sync = new WorkerReport.Sync();
        r.sync.lagSeconds = lag;
        r.sync.position = "abc:10";
        r.updatedAt = at.toString();
        return r;
    }

    private static DataMigrationSpec continuous(DataMigrationSpec spec) {
        spec.getSync().setMode(SyncMode.CONTINUOUS);
        return spec;
    }
}
