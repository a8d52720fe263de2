package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import org.junit.jupiter.api.Test;

/** `kubectl keyferry rollback`: one rung back; from TargetOnly only when a person agrees (or --yes). */
@EnableKubernetesMockClient(crud = true)
class RollbackTest {
    private static final String MISSED = "TargetOnly is in force: the old store missed every write the application made"
            + " since; after this rollback the application reads the old store again (DualWrite, flag 1101) without those writes";
    KubernetesClient client;

    @Test
    void readTargetGoesBackToDualWrite() {
        Cutovers.put(client, "users", Phase.READ_TARGET, Phase.READ_TARGET, true, 0);

        PluginRun run = PluginRun.of(client, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("users: spec.phase set to DualWrite (ReadTarget is in force): the operator writes the flag 1101 next\n",
                run.out());
        assertEquals("", run.err());
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void fromTargetOnlyWithReverseSyncItAsksNothingAndSaysTheFlagWaitsForIt() {
        DataMigration dm = Cutovers.put(client, "users", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);
        dm.getSpec().getCutover().setReverseSync(true);
        client.resource(dm).update();

        PluginRun run = PluginRun.of(client, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("users: spec.phase set to DualWrite: the operator writes the flag 1101 once the reverse sync has put"
                + " every write the target took so far into the old store (status.reverseSync)\n", run.out());
        assertEquals("", run.err());
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void fromTargetOnlyWithoutATerminalOrYesItRefusesAndSaysWhatTheOldStoreMissed() {
        DataMigration before = Cutovers.put(client, "users", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);

        PluginRun run = PluginRun.of(client, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.REFUSED, run.exitCode(), run::toString);
        assertEquals("kubectl keyferry: " + MISSED + ". Not confirmed: there is no terminal to ask on; pass --yes to go on;"
                + " nothing was changed\n", run.err());
        assertEquals(before.getMetadata().getResourceVersion(), Cutovers.get(client, "users").getMetadata().getResourceVersion());
    }

    @Test
    void fromTargetOnlyAPersonWhoTypesYesRollsBack() {
        Cutovers.put(client, "users", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);

        PluginRun run = PluginRun.of(client, PluginRun.answering("yes"), d -> { }, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("warning: " + MISSED + "\nRoll users back to DualWrite? Type yes to go on: "), run::toString);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void fromTargetOnlyAnyOtherAnswerChangesNothing() {
        Cutovers.put(client, "users", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);

        PluginRun run = PluginRun.of(client, PluginRun.answering("n"), d -> { }, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.REFUSED, run.exitCode(), run::toString);
        assertTrue(run.err().endsWith("kubectl keyferry: not confirmed; nothing was changed\n"), run::toString);
        assertEquals(Phase.TARGET_ONLY, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void fromTargetOnlyYesRollsBackAndStillWarns() {
        Cutovers.put(client, "users", Phase.TARGET_ONLY, Phase.TARGET_ONLY, true, 0);

        PluginRun run = PluginRun.of(client, "rollback", "users", "-n", "test", "--yes", "-o", "json");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        Moves.Result result = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(run.out(), Moves.Result.class);
        assertEquals(new Moves.Result("test", "users", "rollback", "TargetOnly", "DualWrite", true, null, MISSED,
                "spec.phase set to DualWrite (TargetOnly is in force): the operator writes the flag 1101 next"), result);
        assertEquals(Phase.DUAL_WRITE, Cutovers.get(client, "users").getSpec().getPhase());
    }

    @Test
    void sourceOnlyHasNothingBehindIt() {
        Cutovers.put(client, "users", Phase.SOURCE_ONLY, Phase.SOURCE_ONLY, false, -1);

        PluginRun run = PluginRun.of(client, "rollback", "users", "-n", "test");

        assertEquals(ExitCodes.REFUSED, run.exitCode(), run::toString);
        assertTrue(run.err().contains("SourceOnly is in force: it is the first rung"), run::toString);
    }
}
