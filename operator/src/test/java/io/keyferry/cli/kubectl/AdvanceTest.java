package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import org.junit.jupiter.api.Test;

/** `kubectl keyferry advance`: one rung forward, refused with the guard explained, or requested anyway. */
@EnableKubernetesMockClient(crud = true)
class AdvanceTest {
    KubernetesClient client;

    @Test
    void movesSpecPhaseOneRungAndNothingElse() {
        DataMigration before = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("users: spec.phase set to ReadTarget (DualWrite is in force): the operator writes the flag 0111 next\n",
                run.out());
        DataMigration after = Cutovers.get(client, "users");
        assertEquals(Phase.READ_TARGET, after.getSpec().getPhase());
        assertEquals(withoutPhase(before), withoutPhase(after), "only spec.phase changed");
        assertEquals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations());
    }

    @Test
    void aGuardThatBlocksIsNamedWithWhatSatisfiesItAndNothingChanges() {
        DataMigration before = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 4);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test");

        assertEquals(ExitCodes.GUARD_BLOCKED, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("users: ReadTarget is blocked by the guard \"verification within"
                + " spec.cutover.maxMismatches\": the last verification round found 4 keys that differ, more than"
                + " spec.cutover.maxMismatches (0)"), run::toString);
        assertTrue(run.err().contains("It passes with a round that finds at most 0 differing keys"), run::toString);
        assertTrue(run.err().contains("Nothing was changed; --force-request asks for it anyway"), run::toString);
        DataMigration after = Cutovers.get(client, "users");
        assertEquals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(), "not written");
    }

    @Test
    void anUnfinishedCopyBlocksReadTargetWithItsProgress() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, false, -1);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test", "-o", "json");

        assertEquals(ExitCodes.GUARD_BLOCKED, run.exitCode(), run::toString);
        JsonNode result = Serialization.jsonMapper().valueToTree(Serialization.unmarshal(run.out(), java.util.Map.class));
        assertEquals("advance", result.get("action").asText());
        assertEquals("DualWrite", result.get("from").asText());
        assertEquals("ReadTarget", result.get("to").asText());
        assertFalse(result.get("changed").asBoolean());
        assertEquals("copy finished", result.at("/blockedBy/guard").asText());
        assertEquals("the copy has not finished", result.at("/blockedBy/reason").asText());
        assertEquals("the copy finishing: 42.5% copied, about 57s to go", result.at("/blockedBy/satisfy").asText());
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void noFinishedRoundBlocksAndVerifyIsOffered() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, -1);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test");

        assertEquals(ExitCodes.GUARD_BLOCKED, run.exitCode(), run::toString);
        assertTrue(run.err().contains("the guard \"verification round finished\": no verification round has finished since"
                + " the copy.\nIt passes with a verification round that finishes after the copy (one is running now)."), run::toString);
    }

    @Test
    void forceRequestSetsSpecPhaseAndWarnsThatTheOperatorStillGuards() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 4);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test", "--force-request");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals(Phase.READ_TARGET, Cutovers.get(client, "users").getSpec().getPhase());
        assertTrue(run.err().startsWith("warning: requested although the guard \"verification within spec.cutover.maxMismatches\""
                + " blocks it: the operator keeps enforcing it"), run::toString);
    }

    @Test
    void fromSourceOnlyDualWriteHasNoGuard() {
        Cutovers.put(client, "users", Phase.SOURCE_ONLY, Phase.SOURCE_ONLY, false, -1);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void aMoveUnderWayIsNotSkippedPast() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.TARGET_ONLY, true, 0);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test");

        assertEquals(ExitCodes.REFUSED, run.exitCode(), run::toString);
        assertTrue(run.err().contains("spec.phase of users asks for TargetOnly while DualWrite is in force"), run::toString);
        assertEquals(Phase.TARGET_ONLY, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void alreadyRequestedRungIsReportedWithoutAWrite() {
        DataMigration before = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.READ_TARGET, true, 0);

        PluginRun run = PluginRun.of(client, "advance", "users", "-n", "test", "-o", "yaml");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        Moves.Result result = Serialization.unmarshal(run.out(), Moves.Result.class);
        assertFalse(result.changed());
        assertNull(result.blockedBy());
        assertEquals("spec.phase already asks for ReadTarget; the operator moves at its next reconcile", result.message());
        assertEquals(before.getMetadata().getResourceVersion(), Cutovers.get(client, "users").getMetadata().getResourceVersion());
    }

    @Test
    void targetOnlyAndOneShotMigrationsHaveNoRungForward() {
        Cutovers.put(client, "done", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);
        Fixtures.put(client, Fixtures.migration("oneshot", null, 1));

        PluginRun top = PluginRun.of(client, "advance", "done", "-n", "test");
        PluginRun oneShot = PluginRun.of(client, "advance", "oneshot", "-n", "test");
        PluginRun missing = PluginRun.of(client, "advance", "nobody", "-n", "test");

        assertEquals(ExitCodes.REFUSED, top.exitCode(), top::toString);
        assertTrue(top.err().contains("TargetOnly is in force: it is the last rung"), top::toString);
        assertEquals(ExitCodes.REFUSED, oneShot.exitCode(), oneShot::toString);
        assertTrue(oneShot.err().contains("oneshot is a one-shot migration (no spec.cutover)"), oneShot::toString);
        assertEquals(ExitCodes.NOT_FOUND, missing.exitCode(), missing::toString);
        assertEquals("kubectl keyferry: datamigration nobody not found in namespace test (kubectl keyferry list -A shows"
                + " every namespace's)\n", missing.err());
    }

    private static JsonNode withoutPhase(DataMigration dm) {
        ObjectNode spec = Serialization.jsonMapper().valueToTree(dm.getSpec());
        spec.remove("phase");
        return spec;
    }
}
