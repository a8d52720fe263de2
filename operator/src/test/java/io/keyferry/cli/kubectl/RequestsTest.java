package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import io.keyferry.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** retry, verify and abort: what each writes to the resource (and what abort refuses without the undo journal). */
@EnableKubernetesMockClient(crud = true)
class RequestsTest {
    static final Path CRD = Path.of("../crds/datamigrations.keyferry.io-v1.yml");
    KubernetesClient client;

    @Test
    void retrySetsANewRetryNonceOnAFailedMigration() {
        DataMigration dm = Fixtures.migration("users", null, 1);
        dm.getSpec().setRetryNonce("1");
        dm.setStatus(Fixtures.status(Stage.FAILED, null));
        Fixtures.put(client, dm);

        PluginRun run = PluginRun.of(client, "retry", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("2026-12-06T10:00:00Z", Cutovers.get(client, "users").getSpec().getRetryNonce());
        assertEquals("users: spec.retryNonce set to 2026-12-06T10:00:00Z (was 1): the operator starts a new attempt; the copy"
                + " resumes from its checkpoint\n", run.out());
        PluginRun again = PluginRun.of(client, "retry", "users", "-n", "test");
        assertEquals("2026-12-06T10:00:00Z-2", Cutovers.get(client, "users").getSpec().getRetryNonce(), again::toString);
    }

    @Test
    void retryOfAMigrationThatHasNotFailedNeedsForce() {
        DataMigration dm = Fixtures.migration("users", null, 1);
        dm.setStatus(Fixtures.status(Stage.COPYING, null));
        Fixtures.put(client, dm);

        PluginRun refused = PluginRun.of(client, "retry", "users", "-n", "test");
        assertEquals(ExitCodes.REFUSED, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("users has not failed (stage Copying)"), refused::toString);
        assertEquals(null, Cutovers.get(client, "users").getSpec().getRetryNonce());

        PluginRun forced = PluginRun.of(client, "retry", "users", "-n", "test", "--force");
        assertEquals(ExitCodes.OK, forced.exitCode(), forced::toString);
        assertEquals("2026-12-06T10:00:00Z", Cutovers.get(client, "users").getSpec().getRetryNonce());
    }

    @Test
    void verifyWritesTheRequestAnnotationWithTheTime() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 4);

        PluginRun run = PluginRun.of(client, "verify", "users", "-n", "test", "-o", "json");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        DataMigration after = Cutovers.get(client, "users");
        assertEquals(Map.of("keyferry.io/verify-requested-at", "2026-12-06T10:00:00Z"), after.getMetadata().getAnnotations());
        assertEquals(Phase.DUAL_WRITE, after.getSpec().getPhase());
        Moves.Result result = Serialization.unmarshal(run.out(), Moves.Result.class);
        assertEquals("verify", result.action());
        assertTrue(result.changed());
    }

    @Test
    void aPatchOnAResourceChangedSinceItWasReadIsRefused() {
        DataMigration seen = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);
        DataMigration changed = Cutovers.get(client, "users");
        changed.getSpec().setRetryNonce("someone else");
        client.resource(changed).update();

        PluginException e = org.junit.jupiter.api.Assertions.assertThrows(PluginException.class,
                () -> new Migrations(client, "test").mergePatch(seen, Map.of("spec", Map.of("phase", "ReadTarget"))));

        assertEquals(ExitCodes.API_ERROR, e.exitCode());
        assertTrue(e.getMessage().startsWith("the DataMigration changed while this command looked at it"), e::getMessage);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void abortWithoutTheUndoJournalRefusesAndSaysWhatToDoInstead() throws IOException {
        String old = Files.readString(CRD).replaceAll("(?m)^\\s+- Aborted\\n", ""); // a CRD from before the undo journal
        client.resource(Serialization.unmarshal(old, CustomResourceDefinition.class)).create();
        DataMigration before = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);

        PluginRun run = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");

        assertEquals(ExitCodes.UNSUPPORTED, run.exitCode(), run::toString);
        assertEquals("kubectl keyferry: abort needs a KeyFerry version with the undo journal (spec.phase Aborted restores the"
                + " target's keys as they were); the installed DataMigration CRD allows spec.phase DualWrite, ReadTarget,"
                + " SourceOnly, TargetOnly. Instead: kubectl keyferry rollback users until SourceOnly is in force (the"
                + " application uses only the old store again), then delete the DataMigration; the target keeps what was"
                + " copied. Nothing was changed\n", run.err());
        assertEquals(before.getMetadata().getResourceVersion(), Cutovers.get(client, "users").getMetadata().getResourceVersion());
    }

    @Test
    void abortWithoutAReadableCrdGoesByThisBuildsPhases() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);

        PluginRun run = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString); // this build has Aborted
        assertEquals(Phase.ABORTED, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void abortFromReadTargetIsRefused() {
        Cutovers.put(client, "users", Phase.READ_TARGET, Phase.READ_TARGET, true, 0);

        PluginRun run = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");

        assertEquals(ExitCodes.REFUSED, run.exitCode(), run::toString);
        assertTrue(run.err().contains("roll back to DualWrite first"), run::toString);
        assertEquals(Phase.READ_TARGET, Cutovers.get(client, "users").getSpec().getPhase());
    }

    /** The operator would refuse it too (AbortRefused); the plugin says so before writing anything. */
    @Test
    void abortWithoutAJournalOrAfterItsRemovalIsRefused() {
        DataMigration dm = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);
        dm.getStatus().setUndo(new io.keyferry.api.UndoStatus(true, 100L, null, null, null, null, null, null,
                "2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z"));
        client.resource(dm).updateStatus();
        PluginRun removed = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");
        assertEquals(ExitCodes.REFUSED, removed.exitCode(), removed::toString);
        assertTrue(removed.err().contains("was removed at 2026-12-06T10:00:01Z"), removed::toString);

        dm = Cutovers.get(client, "users");
        dm.getStatus().setUndo(new io.keyferry.api.UndoStatus(false, null, null, null, null, null, null, null, null, null));
        client.resource(dm).updateStatus();
        PluginRun none = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");
        assertEquals(ExitCodes.REFUSED, none.exitCode(), none::toString);
        assertTrue(none.err().contains("keeps no undo journal"), none::toString);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase(), "nothing was asked");
    }

    @Test
    void abortWhereTheInstalledCrdHasAbortedAsksForIt() throws IOException {
        client.resource(Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class)).create();
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);

        PluginRun refused = PluginRun.of(client, "abort", "users", "-n", "test");
        assertEquals(ExitCodes.REFUSED, refused.exitCode(), refused::toString);

        PluginRun run = PluginRun.of(client, "abort", "users", "-n", "test", "--yes");
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        Map<?, ?> raw = client.genericKubernetesResources(DataMigration.API_VERSION, DataMigration.KIND).inNamespace("test")
                .withName("users").get().get("spec");
        assertEquals("Aborted", raw.get("phase"));
    }
}
