package io.keyferry.cli.kubectl;

import static io.keyferry.cli.kubectl.Fixtures.condition;
import static io.keyferry.cli.kubectl.Fixtures.history;
import static io.keyferry.cli.kubectl.Fixtures.migration;
import static io.keyferry.cli.kubectl.Fixtures.pod;
import static io.keyferry.cli.kubectl.Fixtures.progress;
import static io.keyferry.cli.kubectl.Fixtures.report;
import static io.keyferry.cli.kubectl.Fixtures.source;
import static io.keyferry.cli.kubectl.Fixtures.status;
import static io.keyferry.cli.kubectl.Fixtures.verification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import io.keyferry.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * `kubectl keyferry status` in every stage of a one-shot migration and every phase of a cutover, compared with the
 * golden files in src/test/resources/kubectl/status/. After a deliberate change of the view:
 * mvn -B test -Dtest=StatusGoldenTest -Dkeyferry.updateGolden=true, then read the diff.
 */
@EnableKubernetesMockClient(crud = true)
class StatusGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/kubectl/status");
    KubernetesClient client;

    /** A case: the migration as the operator left it, and the pods and reports around it. */
    record Case(String name, DataMigration dm, BiConsumer<KubernetesClient, DataMigration> around) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                oneShot("pending", null, (c, dm) -> { }),
                oneShot("probing", probing(), (c, dm) -> c.pods().resource(pod(dm, "probing-copy-0-a1b2c3d4-x1", 0, 0, 0,
                        "Pending", "ContainerCreating", 0)).create()),
                oneShot("copying", copying(), StatusGoldenTest::copyingPods),
                oneShot("verifying", verifying(), (c, dm) -> c.pods().resource(pod(dm, "verifying-verify-a1b2c3d4-1-x1",
                        -1, 0, 1, "Running", null, 0)).create()),
                oneShot("verified", verified(), (c, dm) -> { }),
                oneShot("failed", failed(), (c, dm) -> c.pods().resource(pod(dm, "failed-copy-1-a1b2c3d4-x1", 1, 0, 0,
                        "Running", "CrashLoopBackOff", 4)).create()),
                cutover("sourceonly", Phase.SOURCE_ONLY, sourceOnly()),
                cutover("dualwrite-blocked", Phase.READ_TARGET, dualWriteBlocked()),
                following("dualwrite-lagging", dualWriteLagging()),
                cutover("readtarget", Phase.READ_TARGET, inForce(Phase.READ_TARGET, history(Phase.SOURCE_ONLY, Phase.DUAL_WRITE,
                        Phase.READ_TARGET))),
                cutover("targetonly", Phase.TARGET_ONLY, inForce(Phase.TARGET_ONLY, history(Phase.SOURCE_ONLY, Phase.DUAL_WRITE,
                        Phase.READ_TARGET, Phase.TARGET_ONLY))),
                cutover("rolled-back-from-targetonly", Phase.DUAL_WRITE, inForce(Phase.DUAL_WRITE, history(Phase.SOURCE_ONLY,
                        Phase.DUAL_WRITE, Phase.READ_TARGET, Phase.TARGET_ONLY, Phase.DUAL_WRITE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void statusReadsAsTheGoldenFile(Case c) throws IOException {
        c.around().accept(client, Fixtures.put(client, c.dm()));
        PluginRun run = PluginRun.of(client, "status", c.dm().getMetadata().getName(), "-n", Fixtures.NS);
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertFalse(run.out().contains("\u001b["), "no colour off a terminal");
        Path golden = GOLDEN.resolve(c.name() + ".txt");
        if (Boolean.getBoolean("keyferry.updateGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, run.out());
        }
        assertTrue(Files.exists(golden), "no golden file " + golden + "; run with -Dkeyferry.updateGolden=true");
        assertEquals(Files.readString(golden), run.out(), "status of " + c.name() + " differs from " + golden);
    }

    private static Case oneShot(String name, DataMigrationStatus st, BiConsumer<KubernetesClient, DataMigration> around) {
        DataMigration dm = migration(name, null, name.equals("copying") ? 2 : 1);
        dm.setStatus(st);
        return new Case("oneshot-" + name, dm, around);
    }

    private static Case cutover(String name, Phase desired, DataMigrationStatus st) {
        DataMigration dm = migration(name, desired, 1);
        dm.setStatus(st);
        return new Case("cutover-" + name, dm, (c, created) -> { });
    }

    /** A cutover with live sync (spec.sync.mode Continuous). */
    private static Case following(String name, DataMigrationStatus st) {
        Case c = cutover(name, Phase.READ_TARGET, st);
        c.dm().getSpec().getSync().setMode(io.keyferry.api.SyncMode.CONTINUOUS);
        return c;
    }

    /** Verified and following, but one source's sync is 4.2 s behind: ReadTarget waits for it. */
    private static DataMigrationStatus dualWriteLagging() {
        DataMigrationStatus st = status(Stage.VERIFIED, Phase.DUAL_WRITE);
        st.setProgress(progress(100.0, 200_000, 0, null));
        st.setSources(List.of(
                source("old-0", Stage.VERIFIED, 100, null).withSync(new io.keyferry.api.SyncStatus(0.0, 0L,
                        "8c1f0d2e5b7a9c3d4e6f8a0b1c2d3e4f5a6b7c8d:1048576", "2026-12-06T09:59:58Z")),
                source("old-1", Stage.VERIFIED, 100, null).withSync(new io.keyferry.api.SyncStatus(4.2, 183_402L,
                        "0b1c2d3e4f5a6b7c8d8c1f0d2e5b7a9c3d4e6f8a:52428800", "2026-12-06T09:59:55Z"))));
        st.setSyncLagSeconds(4.2);
        st.setVerification(verification(1, 200_000, 0, 0));
        st.setRollback(history(Phase.SOURCE_ONLY, Phase.DUAL_WRITE));
        conditions(st, true, "PhaseInForce", "DualWrite is in force", "CopyFinished", "Clean", "200000 keys checked, 0 different, 0 missing");
        st.getConditions().add(condition("TransitionBlocked", true, "GuardNotMet", "spec.phase is ReadTarget but DualWrite"
                + " stays in force: the live sync is behind: source old-1 lags 4.2 s; spec.cutover.maxLagSeconds is 1 s"
                + " (see status.sources[].sync)", "2026-12-06T09:59:00Z"));
        return st;
    }

    private static void conditions(DataMigrationStatus st, boolean ready, String readyReason, String readyMessage,
                                   String copied, String verified, String verifiedMessage) {
        String since = "2026-12-06T09:50:00Z";
        st.setConditions(new java.util.ArrayList<>(List.of(
                condition("Ready", ready, readyReason, readyMessage, since),
                condition("Reconciling", !ready, ready ? readyReason : "InProgress", ready ? "" : readyMessage, since),
                condition("Stalled", false, "Progressing", "", since),
                condition("Copied", copied.equals("CopyFinished"), copied, copied.equals("CopyFinished")
                        ? "every source was copied" : "the copy has not finished", since),
                condition("Verified", verified.equals("Clean"), verified, verifiedMessage, since))));
    }

    private static DataMigrationStatus probing() {
        DataMigrationStatus st = status(Stage.PROBING, null);
        st.setSources(List.of(source("old-0", Stage.PROBING, 0, null), source("old-1", Stage.PENDING, 0, null)));
        conditions(st, false, "InProgress", "stage Probing", "InProgress", "NotYet", "no verification has finished");
        return st;
    }

    private static DataMigrationStatus copying() {
        DataMigrationStatus st = status(Stage.COPYING, null);
        st.setProgress(progress(20.0, 40_000, 2_500, 96L));
        st.setSources(List.of(source("old-0", Stage.COPYING, 40.0, null), source("old-1", Stage.PENDING, 0, null)));
        conditions(st, false, "InProgress", "stage Copying", "InProgress", "NotYet", "no verification has finished");
        return st;
    }

    private static void copyingPods(KubernetesClient c, DataMigration dm) {
        c.pods().resource(pod(dm, "copying-copy-0s0-a1b2c3d4-x1", 0, 0, 0, "Running", null, 0)).create();
        c.pods().resource(pod(dm, "copying-copy-0s1-a1b2c3d4-x2", 0, 1, 0, "Running", null, 1)).create();
        c.configMaps().resource(report(dm, 0, 0, "Copying", 50.0, 1_500, 80)).create();
        c.configMaps().resource(report(dm, 0, 1, "Copying", 30.0, 1_000, 96)).create();
    }

    private static DataMigrationStatus verifying() {
        DataMigrationStatus st = status(Stage.VERIFYING, null);
        st.setProgress(progress(100.0, 200_000, 0, null));
        st.setSources(List.of(source("old-0", Stage.VERIFYING, 100, null), source("old-1", Stage.VERIFYING, 100, null)));
        conditions(st, false, "InProgress", "stage Verifying", "CopyFinished", "NotYet", "no verification has finished");
        return st;
    }

    private static DataMigrationStatus verified() {
        DataMigrationStatus st = status(Stage.VERIFIED, null);
        st.setProgress(progress(100.0, 200_000, 0, null));
        st.setSources(List.of(source("old-0", Stage.VERIFIED, 100, null), source("old-1", Stage.VERIFIED, 100, null)));
        st.setVerification(verification(1, 200_000, 0, 0));
        conditions(st, true, "Succeeded", "copied and verified", "CopyFinished", "Clean",
                "200000 keys checked, 0 different, 0 missing");
        return st;
    }

    private static DataMigrationStatus failed() {
        DataMigrationStatus st = status(Stage.FAILED, null);
        st.setProgress(progress(60.0, 120_000, 0, null));
        String error = "source old-1 (redis://old-1:6379/0): NOAUTH Authentication required";
        st.setSources(List.of(source("old-0", Stage.COPYING, 100, null), source("old-1", Stage.FAILED, 20.0, error)));
        conditions(st, false, "Failed", "copying source old-1 failed: " + error, "Failed", "NotYet", "no verification has finished");
        st.getConditions().set(1, condition("Reconciling", false, "Failed", "fix the cause, then change spec.retryNonce to try again",
                "2026-12-06T09:55:00Z"));
        st.getConditions().set(2, condition("Stalled", true, "Failed", "copying source old-1 failed: " + error, "2026-12-06T09:55:00Z"));
        return st;
    }

    private static DataMigrationStatus sourceOnly() {
        DataMigrationStatus st = status(Stage.PENDING, Phase.SOURCE_ONLY);
        st.setSources(List.of(source("old-0", Stage.PENDING, 0, null), source("old-1", Stage.PENDING, 0, null)));
        st.setRollback(history(Phase.SOURCE_ONLY));
        conditions(st, true, "PhaseInForce", "SourceOnly is in force, flag 1100", "InProgress", "NotYet",
                "no verification has finished");
        st.getConditions().add(condition("TransitionBlocked", false, "PhaseInForce", "SourceOnly is in force, flag 1100",
                "2026-12-06T09:00:00Z"));
        return st;
    }

    private static DataMigrationStatus dualWriteBlocked() {
        DataMigrationStatus st = status(Stage.VERIFYING, Phase.DUAL_WRITE);
        st.setProgress(progress(100.0, 200_000, 0, null));
        st.setSources(List.of(source("old-0", Stage.VERIFYING, 100, null), source("old-1", Stage.VERIFYING, 100, null)));
        st.setVerification(verification(2, 200_000, 3, 1));
        st.setRollback(history(Phase.SOURCE_ONLY, Phase.DUAL_WRITE));
        conditions(st, false, "InProgress", "stage Verifying", "CopyFinished", "Mismatches",
                "200000 keys checked, 3 different, 1 missing");
        st.getConditions().add(condition("TransitionBlocked", true, "GuardNotMet", "spec.phase is ReadTarget but DualWrite"
                + " stays in force: the last verification round found 4 keys that differ, more than spec.cutover.maxMismatches"
                + " (0); the next round repairs what differs and looks again", "2026-12-06T09:58:00Z"));
        return st;
    }

    private static DataMigrationStatus inForce(Phase phase, io.keyferry.api.RollbackStatus rollback) {
        DataMigrationStatus st = status(Stage.VERIFIED, phase);
        st.setProgress(progress(100.0, 200_000, 0, null));
        st.setSources(List.of(source("old-0", Stage.VERIFIED, 100, null), source("old-1", Stage.VERIFIED, 100, null)));
        st.setVerification(verification(3, 200_000, 0, 0));
        st.setRollback(rollback);
        List<io.keyferry.api.RollbackStatus.Transition> h = rollback.history();
        boolean fromTargetOnly = h.size() > 1 && h.get(h.size() - 2).to() == Phase.TARGET_ONLY;
        conditions(st, true, "PhaseInForce", Names.of(phase) + " is in force, flag " + st.getFlag() + (fromTargetOnly
                ? "; rolled back from TargetOnly at " + h.get(h.size() - 1).at() + ": the old store missed the writes made"
                + " while TargetOnly was in force" : ""), "CopyFinished", "Clean", "200000 keys checked, 0 different, 0 missing");
        st.getConditions().add(condition("TransitionBlocked", false, "PhaseInForce", Names.of(phase) + " is in force, flag "
                + st.getFlag(), h.get(h.size() - 1).at()));
        return st;
    }

}
