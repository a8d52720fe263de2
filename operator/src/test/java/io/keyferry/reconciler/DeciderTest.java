package io.keyferry.reconciler;

import io.keyferry.api.RollbackStatus;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.cutover.PhaseLadder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyferry.api.CutoverSpec;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.FlagSpec;
import io.keyferry.api.Phase;
import io.keyferry.api.Policy;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.Stage;
import io.keyferry.api.TargetSpec;
import io.keyferry.worker.WorkerReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions alone: no API server, no store. */
class DeciderTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void aCutoverBackfillFillsEveryTypeTheSpecLeavesUnset() {
        DataMigrationSpec spec = spec(true);
        spec.getPolicies().setHash(Policy.MERGE);
        DataMigrationSpec effective = Decider.effective(spec);
        assertEquals(Policy.FILL, effective.getPolicies().forType(DataType.STRING));
        assertEquals(Policy.MERGE, effective.getPolicies().forType(DataType.HASH));
        spec.getPolicies().setDefaultPolicy(Policy.OVERWRITE);
        assertEquals(Policy.OVERWRITE, Decider.effective(spec).getPolicies().forType(DataType.LIST), "the user's choice stands");
        assertEquals(Policy.SKIP, Decider.effective(spec(false)).getPolicies().forType(DataType.LIST), "one-shot: Skip unless set");
        assertEquals(Policy.OVERWRITE, Decider.verification(spec(true)).getPolicies().forType(DataType.STRING),
                "verified exactly while dual-writing: the old store is the truth");
        assertEquals(Policy.MERGE, Decider.verification(spec).getPolicies().forType(DataType.HASH));
        assertTrue(Decider.repair(spec(true)));
        assertTrue(!Decider.repair(spec(false)));
    }

    @Test
    void aNewMigrationStartsTheFirstSourceAndTheSameObservationWritesNothingNew() {
        DataMigration dm = dm(spec(false));
        Decider.Decision first = Decider.decide(Snapshot.of(dm, List.of(), null), NOW);
        assertEquals(1, first.creates().size());
        assertEquals(WorkerJobs.Stage.COPY, first.creates().get(0).stage());
        assertEquals(0, first.creates().get(0).source());
        assertEquals(Stage.PROBING, first.status().getStage());

        // The Job exists now, with no report yet: the status is the same, later, so nothing is written.
        String attempt = first.creates().get(0).attempt();
        dm.setStatus(first.status());
        WorkerRun running = new WorkerRun("m-copy-0-" + attempt, WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.ACTIVE,
                null, null, null);
        Decider.Decision again = Decider.decide(Snapshot.of(dm, List.of(running), null), NOW.plusSeconds(30));
        assertTrue(again.creates().isEmpty());
        assertTrue(DataMigrationReconciler.sameStatus(dm.getStatus(), again.status()), "conditions keep their transition times");
    }

    @Test
    void runningJobsOfAnOlderAttemptAreStoppedBeforeANewOneStarts() {
        DataMigration dm = dm(spec(false));
        WorkerRun old = new WorkerRun("m-copy-0-aaaa", WorkerJobs.Stage.COPY, 0, "aaaa", 0, WorkerRun.State.ACTIVE, null, null, null);
        Decider.Decision d = Decider.decide(Snapshot.of(dm, List.of(old), null), NOW);
        assertEquals(List.of("m-copy-0-aaaa"), d.obsolete());
        assertTrue(d.creates().isEmpty());
        assertEquals(Stage.PENDING, d.status().getStage());
        WorkerRun going = new WorkerRun("m-copy-0-aaaa", WorkerJobs.Stage.COPY, 0, 0, "aaaa", 0, WorkerRun.State.ACTIVE, null, null,
                null, true);
        d = Decider.decide(Snapshot.of(dm, List.of(going), null), NOW);
        assertTrue(d.obsolete().isEmpty(), "deleted once, not at every reconcile");
        assertTrue(d.creates().isEmpty(), "the new attempt waits until the old Job is gone");
    }

    @Test
    void anUncleanVerificationFailsAOneShotAndIsRepeatedLaterInACutover() {
        DataMigration oneShot = dm(spec(false));
        String attempt = WorkerJobs.attempt(Decider.effective(oneShot.getSpec()));
        List<WorkerRun> runs = List.of(copied(attempt), verified(attempt, 1, 2));
        Decider.Decision d = Decider.decide(Snapshot.of(oneShot, runs, null), NOW);
        assertEquals(Stage.FAILED, d.status().getStage());
        assertTrue(OperatorHarness.conditionMessage(withStatus(oneShot, d), "Stalled").contains("2 keys that differ"));

        DataMigration cutover = dm(spec(true));
        cutover.getSpec().setPhase(Phase.READ_TARGET);
        cutover.setStatus(new io.keyferry.api.DataMigrationStatus());
        cutover.getStatus().setPhase(Phase.DUAL_WRITE);
        cutover.getStatus().setFlag("1101");
        attempt = WorkerJobs.attempt(Decider.effective(cutover.getSpec()));
        runs = List.of(copied(attempt), verified(attempt, 1, 2));
        d = Decider.decide(Snapshot.of(cutover, runs, "1101"), NOW.plusSeconds(10));
        assertNull(d.step(), "ReadTarget refused");
        assertTrue(d.creates().isEmpty());
        assertEquals(Duration.ofSeconds(290), d.requeue(), "verified again reverifySeconds after the last one finished");
        d = Decider.decide(Snapshot.of(cutover, runs, "1101"), NOW.plusSeconds(300));
        assertEquals(1, d.creates().size());
        assertEquals(2, d.creates().get(0).run());
        assertTrue(d.creates().get(0).repair());
    }

    @Test
    void aFlagStoreThatStaysUnusableLeavesTheStatusAsItIsAndWarnsOnce() {
        DataMigration dm = dm(spec(true));
        dm.setStatus(new io.keyferry.api.DataMigrationStatus());
        dm.getStatus().setPhase(Phase.DUAL_WRITE);
        dm.getStatus().setFlag("1101");
        Snapshot unreadable = Snapshot.of(dm, List.of(), null).withFlag(Snapshot.Flag.unreadable("connection refused"));
        Decider.Decision first = Decider.decide(unreadable, NOW);
        assertEquals(1, first.events().stream().filter(e -> e.reason().equals("FlagStoreUnavailable")).count());
        dm.setStatus(first.status());

        Decider.Decision again = Decider.decide(unreadable, NOW.plusSeconds(30));

        assertTrue(DataMigrationReconciler.sameStatus(first.status(), again.status()), "no status write while it stays so");
        assertTrue(again.events().stream().noneMatch(e -> e.reason().equals("FlagStoreUnavailable")), again.events().toString());
        assertEquals(Phase.DUAL_WRITE, again.status().getPhase());
    }

    private static DataMigration withStatus(DataMigration dm, Decider.Decision d) {
        dm.setStatus(d.status());
        return dm;
    }

    private static WorkerRun copied(String attempt) {
        WorkerReport r = new WorkerReport();
        r.stage = WorkerReport.COPIED;
        r.keysScanned = 10;
        return new WorkerRun("m-copy-0-" + attempt, WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.SUCCEEDED, null, NOW, r);
    }

    private static WorkerRun verified(String attempt, int run, long missing) {
        WorkerReport r = new WorkerReport();
        r.stage = WorkerReport.VERIFIED;
        r.verification = new WorkerReport.Verification();
        r.verification.finished = true;
        r.verification.keysChecked = 10;
        r.verification.missing = missing;
        return new WorkerRun("m-verify-" + attempt + "-" + run, WorkerJobs.Stage.VERIFY, -1, attempt, run,
                WorkerRun.State.SUCCEEDED, null, NOW, r);
    }

    /**
     * The invariant of the flag, on every path: whatever status records (nothing, or any phase), whatever the flag
     * store holds (nothing, any phase's flag, or a value no phase has) and whatever spec.phase asks, the operator never
     * writes a flag further back than the store's, unless spec.phase asks for exactly that rollback (never past it);
     * it writes nothing over a value no phase has; and it expects, for its compare-and-set, what the store holds.
     */
    @Test
    void neverWritesTheFlagBackwardsUnlessSpecPhaseAsksForThatRollback() {
        List<String> stored = new java.util.ArrayList<>(java.util.Arrays.asList(null, "1100", "1101", "0111", "0011", "1111"));
        List<Phase> recorded = new java.util.ArrayList<>(java.util.Arrays.asList((Phase) null));
        recorded.addAll(List.of(Phase.values()));
        int writes = 0;
        for (String inStore : stored) {
            for (Phase was : recorded) {
                for (Phase desired : Phase.values()) {
                    DataMigrationSpec spec = spec(true);
                    spec.setPhase(desired);
                    DataMigration dm = dm(spec);
                    DataMigrationStatus status = new DataMigrationStatus();
                    status.setPhase(was);
                    status.setFlag(was == null ? null : PhaseLadder.flag(was));
                    dm.setStatus(status);
                    Decider.Decision d = Decider.decide(Snapshot.of(dm, List.of(), inStore), NOW);
                    String written = d.step() != null ? d.step().flag() : d.rewriteFlag();
                    String where = "store " + inStore + ", recorded " + was + ", spec.phase " + desired + ": wrote " + written;
                    if (written == null) {
                        continue;
                    }
                    writes++;
                    Phase store = inStore == null ? null : PhaseLadder.phaseOf(inStore);
                    Phase asked = desired == Phase.ABORTED ? Phase.SOURCE_ONLY : desired; // an abort moves to SourceOnly
                    assertTrue(inStore == null || store != null, where + " over a value no phase has");
                    Phase w = PhaseLadder.phaseOf(written);
                    assertTrue(store == null || w.ordinal() >= store.ordinal()
                            || (asked.ordinal() < store.ordinal() && w == PhaseLadder.rollbackTarget(store)
                                && w.ordinal() >= asked.ordinal()), where);
                    String expected = d.step() != null && d.step().from() != null ? PhaseLadder.flag(d.step().from()) : null;
                    assertEquals(inStore, expected, where + ": its compare-and-set would expect " + expected);
                }
            }
        }
        assertTrue(writes > 20, "writes checked: " + writes);
    }

    /** A resource re-created by GitOps (no status) while the application already works on the new store alone. */
    @Test
    void aResourceWithoutStatusAdoptsTheFlagItFindsAndWritesNothing() {
        DataMigrationSpec spec = spec(true);
        spec.setPhase(Phase.TARGET_ONLY);
        Decider.Decision d = Decider.decide(Snapshot.of(dm(spec), List.of(), "0011"), NOW);
        assertNull(d.step());
        assertNull(d.rewriteFlag());
        assertEquals(Phase.TARGET_ONLY, d.status().getPhase());
        assertEquals("0011", d.status().getFlag());
        RollbackStatus.Transition adopted = d.status().getRollback().history().get(0);
        assertEquals(null, adopted.from());
        assertTrue(adopted.reason().startsWith("adopted: the flag store held 0011 and this resource had no recorded phase"),
                adopted.reason());
        assertTrue(d.events().stream().anyMatch(e -> e.reason().equals("Adopted")), d.events().toString());

        Decider.Decision unknown = Decider.decide(Snapshot.of(dm(spec), List.of(), "1111"), NOW);
        assertNull(unknown.step());
        assertTrue(unknown.creates().isEmpty());
        assertEquals("UnknownFlag", unknown.status().getConditions().stream()
                .filter(c -> c.getType().equals("Stalled")).findFirst().orElseThrow().getReason());
    }

    /** A migration an operator before the canonical digest started goes on: its copy identity and its Jobs are its own. */
    @Test
    void aMigrationInFlightFromTheVersionBeforeTheCanonicalDigestGoesOn() {
        DataMigrationSpec spec = spec(false);
        DataMigration dm = dm(spec);
        java.util.Map<String, Object> parts = new java.util.LinkedHashMap<>();
        parts.put("sources", spec.getSources());
        parts.put("target", spec.getTarget());
        DataMigrationStatus status = new DataMigrationStatus();
        status.setCopyIdentity(io.keyferry.api.SpecDigest.legacy(parts).substring(0, 16));
        dm.setStatus(status);
        String legacy = WorkerJobs.legacyAttempt(Decider.effective(spec));
        WorkerRun running = new WorkerRun("m-copy-0-" + legacy, WorkerJobs.Stage.COPY, 0, legacy, 0, WorkerRun.State.ACTIVE,
                null, null, null);

        Decider.Decision d = Decider.decide(Snapshot.of(dm, List.of(running), null), NOW);

        assertEquals(Decider.copyIdentity(spec), d.status().getCopyIdentity(), "recorded again, canonical");
        assertTrue(d.obsolete().isEmpty(), "its running Job is this attempt's");
        assertTrue(d.creates().isEmpty(), "and is not started twice");
        assertTrue(d.status().getConditions().stream().noneMatch(c -> c.getType().equals("Stalled") && c.getStatus().equals("True")));
    }

    /**
     * Re-verification every reverifySeconds for a month keeps a constant number of objects: this attempt's finished
     * verifications but the last five, and every finished Job of an older attempt, are deleted (with their reports).
     */
    @Test
    void finishedVerificationsButTheLastFiveAndOlderAttemptsJobsArePruned() {
        DataMigrationSpec spec = spec(true);
        String attempt = WorkerJobs.attempt(Decider.effective(spec));
        List<WorkerRun> runs = new java.util.ArrayList<>();
        runs.add(new WorkerRun("m-copy-0-" + attempt, WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.SUCCEEDED, null,
                NOW, null));
        for (int run = 1; run <= 8; run++) {
            runs.add(new WorkerRun("m-verify-" + attempt + "-" + run, WorkerJobs.Stage.VERIFY, -1, attempt, run,
                    run == 8 ? WorkerRun.State.ACTIVE : WorkerRun.State.SUCCEEDED, null, NOW, null));
        }
        runs.add(new WorkerRun("m-copy-0-old", WorkerJobs.Stage.COPY, 0, "old", 0, WorkerRun.State.SUCCEEDED, null, NOW, null));
        runs.add(new WorkerRun("m-copy-1-old", WorkerJobs.Stage.COPY, 1, "old", 0, WorkerRun.State.FAILED, null, NOW, null));

        Decider.Decision d = Decider.decide(Snapshot.of(dm(spec), runs, "1101"), NOW);

        assertEquals(List.of("m-copy-0-old", "m-copy-1-old", "m-verify-" + attempt + "-1", "m-verify-" + attempt + "-2"),
                d.pruned());
    }

    /** A worker pod that does not run stalls the migration with its reason, warns once, and clears once it runs. */
    @Test
    void aWorkerPodThatDoesNotRunIsStalledWithItsReasonUntilItRuns() {
        DataMigration dm = dm(spec(false));
        String attempt = WorkerJobs.attempt(Decider.effective(dm.getSpec()));
        WorkerRun running = new WorkerRun("m-copy-0-" + attempt, WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.ACTIVE,
                null, null, null);
        WorkerProblem pull = new WorkerProblem(running.jobName(), "ImagePullBackOff", "pod x cannot pull the image k:1");
        Decider.Decision d = Decider.decide(Snapshot.of(dm, List.of(running), null).withProblems(List.of(pull)), NOW);
        io.fabric8.kubernetes.api.model.Condition stalled = d.status().getConditions().stream()
                .filter(c -> c.getType().equals("Stalled")).findFirst().orElseThrow();
        assertEquals("ImagePullBackOff", stalled.getReason());
        assertEquals("worker Job " + running.jobName() + ": pod x cannot pull the image k:1", stalled.getMessage());
        assertEquals("ImagePullBackOff: pod x cannot pull the image k:1", d.status().getSources().get(0).lastError());
        assertEquals(List.of("ImagePullBackOff"), d.events().stream().map(Decider.Event::reason).toList());
        assertEquals(Decider.WATCH_WORKERS, d.requeue(), "looked at again while the worker runs");
        dm.setStatus(d.status());

        Decider.Decision again = Decider.decide(Snapshot.of(dm, List.of(running), null).withProblems(List.of(pull)), NOW.plusSeconds(10));
        assertTrue(again.events().isEmpty(), "warned once: " + again.events());
        Decider.Decision fixed = Decider.decide(Snapshot.of(dm, List.of(running), null), NOW.plusSeconds(20));
        assertTrue(fixed.status().getConditions().stream().anyMatch(c -> c.getType().equals("Stalled") && c.getStatus().equals("False")));

        WorkerRun failed = new WorkerRun(running.jobName(), WorkerJobs.Stage.COPY, 0, attempt, 0, WorkerRun.State.FAILED,
                "BackoffLimitExceeded: Job has reached the specified backoff limit", NOW, null);
        WorkerProblem oom = new WorkerProblem(running.jobName(), "OOMKilled", "killed for memory");
        String why = Decider.decide(Snapshot.of(dm, List.of(failed), null).withProblems(List.of(oom)), NOW).status().getConditions()
                .stream().filter(c -> c.getType().equals("Stalled")).findFirst().orElseThrow().getMessage();
        assertEquals("copying source a failed: BackoffLimitExceeded: Job has reached the specified backoff limit (OOMKilled:"
                + " killed for memory)", why);
    }

    /** An unexpected reconcile error is in status once (Reconciling), the rest as recorded; the same error again writes nothing. */
    @Test
    void anUnexpectedReconcileErrorIsRecordedOnce() {
        DataMigration dm = dm(spec(false));
        dm.setStatus(Decider.decide(Snapshot.of(dm, List.of(), null), NOW).status());
        DataMigrationStatus st = Decider.reconcileError(dm, new IllegalStateException("Failure executing: POST jobs. Message: quota"), NOW);
        io.fabric8.kubernetes.api.model.Condition c = st.getConditions().stream().filter(x -> x.getType().equals("Reconciling"))
                .findFirst().orElseThrow();
        assertEquals("ReconcileError", c.getReason());
        assertEquals("the last reconcile failed and is retried with backoff: Failure executing: POST jobs. Message: quota", c.getMessage());
        assertEquals(dm.getStatus().getStage(), st.getStage());
        assertEquals(dm.getStatus().getConditions().size(), st.getConditions().size());
        dm.setStatus(st);
        assertNull(Decider.reconcileError(dm, new IllegalStateException("Failure executing: POST jobs. Message: quota"), NOW));
    }

    /** Events come from the status change alone: a move, an adoption, a new block; the same status again tells nothing. */
    @Test
    void eventsAreTheDifferenceBetweenTheRecordedStatusAndTheNewOne() {
        DataMigrationSpec spec = spec(true);
        DataMigration dm = dm(spec);
        Decider.Decision first = Decider.decide(Snapshot.of(dm, List.of(), null), NOW);
        assertEquals(List.of("Normal PhaseChanged SourceOnly, flag 1100"),
                first.events().stream().map(e -> e.type() + " " + e.reason() + " " + e.message()).toList());
        dm.setStatus(first.status());
        spec.setPhase(Phase.READ_TARGET);
        Decider.Decision dual = Decider.decide(Snapshot.of(dm, List.of(), "1100"), NOW);
        assertEquals(List.of("Normal PhaseChanged SourceOnly -> DualWrite, flag 1101"),
                dual.events().stream().map(e -> e.type() + " " + e.reason() + " " + e.message()).toList());
        dm.setStatus(dual.status());
        Decider.Decision blocked = Decider.decide(Snapshot.of(dm, List.of(), "1101"), NOW);
        assertEquals(List.of("Warning TransitionBlocked"), blocked.events().stream().map(e -> e.type() + " " + e.reason()).toList());
        dm.setStatus(blocked.status());
        assertTrue(Decider.decide(Snapshot.of(dm, List.of(), "1101"), NOW.plusSeconds(5)).events().isEmpty());
        Decider.Decision adopted = Decider.decide(Snapshot.of(dm, List.of(), "0111"), NOW.plusSeconds(5));
        assertEquals("Warning Adopted", adopted.events().get(0).type() + " " + adopted.events().get(0).reason());
    }

    /** `kubectl keyferry verify` sets an annotation: a verification starts now, once, whatever the last one found. */
    @Test
    void anAnnotatedRequestStartsAVerificationOnce() {
        DataMigration dm = dm(spec(false));
        String attempt = WorkerJobs.attempt(Decider.effective(dm.getSpec()));
        List<WorkerRun> runs = List.of(copied(attempt), verified(attempt, 1, 0));
        assertTrue(Decider.decide(Snapshot.of(dm, runs, null), NOW).creates().isEmpty(), "verified: nothing to do");
        dm.getMetadata().setAnnotations(java.util.Map.of("keyferry.io/verify-requested-at", NOW.plusSeconds(5).toString()));
        Decider.Decision asked = Decider.decide(Snapshot.of(dm, runs, null), NOW.plusSeconds(6));
        assertEquals(1, asked.creates().size());
        assertEquals(2, asked.creates().get(0).run());
        WorkerRun second = new WorkerRun("m-verify-" + attempt + "-2", WorkerJobs.Stage.VERIFY, -1, attempt, 2,
                WorkerRun.State.SUCCEEDED, null, NOW.plusSeconds(20), verified(attempt, 2, 0).report());
        assertTrue(Decider.decide(Snapshot.of(dm, List.of(runs.get(0), runs.get(1), second), null), NOW.plusSeconds(30))
                .creates().isEmpty(), "the request was answered by run 2");
    }

    static DataMigration dm(DataMigrationSpec spec) {
        DataMigration dm = new DataMigration();
        dm.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ns").withUid("uid-1").withGeneration(1L).build());
        dm.setSpec(spec);
        return dm;
    }

    static DataMigrationSpec spec(boolean cutover) {
        DataMigrationSpec spec = new DataMigrationSpec();
        SourceSpec s = new SourceSpec();
        s.setName("a");
        s.setEndpoint(endpoint("redis://a:6379/0"));
        spec.setSources(List.of(s));
        TargetSpec t = new TargetSpec();
        t.setEndpoint(endpoint("redis://t:6379/0"));
        spec.setTarget(t);
        if (cutover) {
            CutoverSpec c = new CutoverSpec();
            FlagSpec f = new FlagSpec();
            f.setEndpoint(endpoint("redis://flags:6379/0"));
            f.setKey("migrate");
            c.setFlag(f);
            spec.setCutover(c);
            spec.setPhase(Phase.DUAL_WRITE);
        }
        return spec;
    }

    private static EndpointSpec endpoint(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        return e;
    }
}
