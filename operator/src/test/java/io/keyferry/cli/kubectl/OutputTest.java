package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import io.keyferry.cli.ExitCodes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** -o json|yaml as data a script can read back, list, colours only where they belong, and usage errors. */
@EnableKubernetesMockClient(crud = true)
class OutputTest {
    KubernetesClient client;

    @Test
    void statusAsJsonReadsBackWithTheGuardAndExplainedConditions() throws Exception {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.READ_TARGET, true, 2);

        PluginRun run = PluginRun.of(client, "status", "users", "-n", "test", "-o", "json");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        JsonNode json = Serialization.jsonMapper().readTree(run.out());
        assertEquals("users", json.get("name").asText());
        assertEquals("ReadTarget", json.get("specPhase").asText());
        assertEquals("DualWrite", json.get("phase").asText());
        assertEquals("1101", json.get("flag").asText());
        assertEquals("ReadTarget", json.get("nextPhase").asText());
        assertEquals("verification within spec.cutover.maxMismatches", json.at("/blockedBy/guard").asText());
        assertEquals(2, json.at("/verification/mismatches").asLong());
        assertEquals("user:0", json.at("/verification/samples/0/key").asText());
        assertEquals("SourceOnly", json.at("/rollback/history/0/to").asText());
        assertEquals(List.of("old-0", "old-1"), List.of(json.at("/sources/0/name").asText(), json.at("/sources/1/name").asText()));
        JsonNode verified = json.at("/conditions/1");
        assertEquals("Verified", verified.get("type").asText());
        assertEquals("the last verification found more differing keys than allowed", verified.get("meaning").asText());
        assertTrue(verified.get("action").asText().contains("kubectl keyferry verify users"));
        StatusReport back = Serialization.unmarshal(run.out(), StatusReport.class);
        assertEquals(json.get("name").asText(), back.name());
    }

    @Test
    void statusAsYamlIsTheSameData() throws Exception {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 0);

        PluginRun json = PluginRun.of(client, "status", "users", "-n", "test", "-o", "json");
        PluginRun yaml = PluginRun.of(client, "-n", "elsewhere", "status", "users", "-n", "test", "-o", "yaml");

        assertEquals(Serialization.jsonMapper().readTree(json.out()),
                Serialization.jsonMapper().valueToTree(Serialization.unmarshal(yaml.out(), Map.class)));
    }

    @Test
    void listShowsEveryMigrationAndAPendingMove() {
        DataMigration users = Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.READ_TARGET, true, 2);
        users.getStatus().setSyncLagSeconds(0.4); // a live sync 0.4 s behind
        users = client.resource(users).updateStatus();
        DataMigration oneShot = Fixtures.migration("orders", null, 1);
        oneShot.setStatus(Fixtures.status(Stage.COPYING, null));
        oneShot.getStatus().setProgress(Fixtures.progress(12.5, 100, 10, 5L));
        oneShot = Fixtures.put(client, oneShot);
        // The mock API server stamps creationTimestamp with the wall clock.
        String ordersAge = Units.age(oneShot.getMetadata().getCreationTimestamp(), Fixtures.NOW);
        String usersAge = Units.age(users.getMetadata().getCreationTimestamp(), Fixtures.NOW);

        PluginRun run = PluginRun.of(client, "-n", "test", "list");
        PluginRun all = PluginRun.of(client, "list", "-A", "-o", "json");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("""
                NAME     READY   PHASE                   STAGE       PROGRESS   VERIFIED   LAG    FLAG   AGE
                orders   -       -                       Copying     12.5%%      -          -      -      %s
                users    -       DualWrite->ReadTarget   Verifying   -          False      0.4s   1101   %s
                """.formatted(ordersAge, usersAge), run.out());
        List<ListCommand.Summary> summaries = List.of(Serialization.unmarshal(all.out(), ListCommand.Summary[].class));
        assertEquals(List.of("orders", "users"), summaries.stream().map(ListCommand.Summary::name).toList());
        assertEquals("ReadTarget", summaries.get(1).specPhase());
    }

    @Test
    void coloursOnlyOnATerminalAndNeverWithNoColor() {
        Cutovers.put(client, "users", Phase.DUAL_WRITE, Phase.DUAL_WRITE, true, 2);
        Terminal colour = Terminal.detect(Map.of("KEYFERRY_STDOUT_TTY", "1"));

        PluginRun painted = PluginRun.of(client, colour, d -> { }, "status", "users", "-n", "test");
        PluginRun plain = PluginRun.of(client, "status", "users", "-n", "test");

        assertTrue(painted.out().contains("\u001b[1mDataMigration test/users\u001b[0m"), painted::toString);
        assertEquals(plain.out(), painted.out().replaceAll("\u001b\\[[0-9;]*m", ""), "the same words, painted");
        assertFalse(Terminal.detect(Map.of("KEYFERRY_STDOUT_TTY", "1", "NO_COLOR", "1")).colour());
        assertFalse(Terminal.detect(Map.of("KEYFERRY_STDOUT_TTY", "1", "TERM", "dumb")).colour());
        assertFalse(Terminal.detect(Map.of("KEYFERRY_STDOUT_TTY", "0")).colour());
        assertTrue(Terminal.detect(Map.of("KEYFERRY_STDOUT_TTY", "1", "NO_COLOR", "")).colour(), "an empty NO_COLOR is unset");
        assertEquals(null, Terminal.detect(Map.of("KEYFERRY_STDIN_TTY", "0")).answers(), "nobody to ask");
    }

    @Test
    void badUsageIsExitTwoWithAPointerToHelp() {
        PluginRun unknown = PluginRun.of(client, "status", "users", "--frobnicate");
        PluginRun format = PluginRun.of(client, "status", "users", "-o", "xml");
        PluginRun help = PluginRun.of(client, "--help");

        assertEquals(ExitCodes.INVALID_INPUT, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.err().endsWith("See 'kubectl keyferry status --help'.\n"), unknown::toString);
        assertEquals(ExitCodes.INVALID_INPUT, format.exitCode(), format::toString);
        assertEquals(ExitCodes.OK, help.exitCode(), help::toString);
        assertTrue(help.out().contains("  7   advance: a guard blocks the next rung; nothing was changed"), help::toString);
    }
}
