package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Stage;
import io.keyferry.cli.ExitCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `kubectl keyferry watch`: redrawn on a terminal, a new block only on change elsewhere, over when the migration goes. */
@EnableKubernetesMockClient(crud = true)
class WatchTest {
    KubernetesClient client;

    /** Between looks: the first time nothing happens, then the stage moves on, then the migration is deleted. */
    private Environment.Sleeper script(List<Duration> waits) {
        return d -> {
            waits.add(d);
            DataMigration dm = Cutovers.get(client, "users");
            if (waits.size() == 2) {
                dm.getStatus().setStage(Stage.VERIFYING);
                client.resource(dm).updateStatus();
            } else if (waits.size() == 3) {
                client.resource(dm).delete();
            }
        };
    }

    private void migration() {
        DataMigration dm = Fixtures.migration("users", null, 1);
        dm.setStatus(Fixtures.status(Stage.COPYING, null));
        Fixtures.put(client, dm);
    }

    @Test
    void offATerminalANewBlockOnlyWhenSomethingChanged() {
        migration();
        List<Duration> waits = new ArrayList<>();

        PluginRun run = PluginRun.of(client, Terminal.NONE, script(waits), "watch", "users", "-n", "test", "--interval", "5");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)), waits);
        String[] blocks = run.out().split("--- 2026-12-06T10:00:00Z\n", -1);
        assertEquals(3, blocks.length, run::toString);
        assertTrue(blocks[1].contains("Stage:        Copying\n"), run::toString);
        assertTrue(blocks[2].contains("Stage:        Verifying\n"), run::toString);
        assertTrue(blocks[2].endsWith("users was deleted.\n"), run::toString);
        assertTrue(!run.out().contains("\u001b"), "no escape codes off a terminal");
    }

    @Test
    void onATerminalRedrawsInPlaceEveryInterval() {
        migration();
        List<Duration> waits = new ArrayList<>();

        PluginRun run = PluginRun.of(client, new Terminal(true, false, null), script(waits), "watch", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)), waits);
        String[] screens = run.out().split("\u001b\\[H\u001b\\[2J", -1);
        assertEquals(4, screens.length, run::toString);
        assertTrue(screens[1].startsWith("Every 2s: kubectl keyferry status users   2026-12-06T10:00:00Z\n\nDataMigration test/users\n"),
                run::toString);
    }

    @Test
    void aMigrationThatIsNotThereIsAnErrorAtOnce() {
        PluginRun run = PluginRun.of(client, "watch", "nobody", "-n", "test");

        assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    }
}
