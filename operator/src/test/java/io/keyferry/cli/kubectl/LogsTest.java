package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.keyferry.api.DataMigration;
import io.keyferry.cli.ExitCodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `kubectl keyferry logs`: the worker container's log of the migration's pods, found by the operator's labels. */
@EnableKubernetesMockClient(crud = true)
class LogsTest {
    KubernetesClient client;
    KubernetesMockServer server;

    @BeforeEach
    void workers() {
        DataMigration dm = Fixtures.put(client, Fixtures.migration("users", null, 1));
        client.pods().resource(Fixtures.pod(dm, "users-copy-0-x", 0, 0, 0, "Running", null, 0)).create();
        client.pods().resource(Fixtures.pod(dm, "users-copy-1-x", 1, 0, 0, "Running", null, 0)).create();
        DataMigration other = Fixtures.put(client, Fixtures.migration("other", null, 1));
        client.pods().resource(Fixtures.pod(other, "other-copy-0-x", 0, 0, 0, "Running", null, 0)).create();
        log("users-copy-0-x", "", "copying old-0\ncopied 10 keys\n");
        log("users-copy-1-x", "", "copying old-1\n");
        log("users-copy-1-x", "&tailLines=1", "last line of old-1\n");
        log("users-copy-1-x", "&follow=true", "copying old-1\nfollowed to the end");
        log("other-copy-0-x", "", "not ours\n");
    }

    private void log(String pod, String query, String body) {
        server.expect().get().withPath("/api/v1/namespaces/test/pods/" + pod + "/log?pretty=false&container=worker" + query)
                .andReturn(200, body).always();
    }

    @Test
    void everyWorkerOfTheMigrationWithItsPodAsPrefix() {
        PluginRun run = PluginRun.of(client, "logs", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("[users-copy-0-x] copying old-0\n[users-copy-0-x] copied 10 keys\n[users-copy-1-x] copying old-1\n", run.out());
    }

    @Test
    void oneSourcesWorkersWithoutPrefix() {
        PluginRun run = PluginRun.of(client, "logs", "users", "-n", "test", "--source", "old-1", "--tail", "1");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("last line of old-1\n", run.out());
    }

    @Test
    void followPrintsUntilTheStreamEnds() {
        PluginRun run = PluginRun.of(client, "logs", "users", "-n", "test", "--source", "old-1", "-f");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("copying old-1\nfollowed to the end\n", run.out());
    }

    @Test
    void aPodWithoutALogIsSaidAndTheOthersPrinted() {
        DataMigration dm = Cutovers.get(client, "users");
        client.pods().resource(Fixtures.pod(dm, "users-verify-x", -1, 0, 1, "Pending", "ContainerCreating", 0)).create();
        server.expect().get().withPath("/api/v1/namespaces/test/pods/users-verify-x/log?pretty=false&container=worker")
                .andReturn(400, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(400)
                        .withMessage("container \"worker\" is waiting to start: ContainerCreating").build()).always();

        PluginRun run = PluginRun.of(client, "logs", "users", "-n", "test");

        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals("[users-copy-0-x] copying old-0\n[users-copy-0-x] copied 10 keys\n[users-copy-1-x] copying old-1\n", run.out());
        assertEquals("users-verify-x: no log (container \"worker\" is waiting to start: ContainerCreating)\n", run.err());
    }

    @Test
    void aRequestTheUserMayNotMakeSaysWhichRightsToAskFor() {
        server.expect().get().withPath("/apis/keyferry.io/v1alpha1/namespaces/locked/datamigrations/users")
                .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403).withMessage(
                        "datamigrations.keyferry.io \"users\" is forbidden: User \"dev\" cannot get resource").build()).always();

        PluginRun run = PluginRun.of(client, "status", "users", "-n", "locked");

        assertEquals(ExitCodes.API_ERROR, run.exitCode(), run::toString);
        assertTrue(run.err().contains("refused: datamigrations.keyferry.io \"users\" is forbidden: User \"dev\" cannot get"
                + " resource; ask for get, list and patch on datamigrations.keyferry.io, list on pods and configmaps, and get on"
                + " pods/log in namespace locked"), run::toString);
    }

    @Test
    void anUnknownSourceIsNamedWithTheSourcesThereAre() {
        PluginRun run = PluginRun.of(client, "logs", "users", "-n", "test", "--source", "old-9");

        assertEquals(ExitCodes.INVALID_INPUT, run.exitCode(), run::toString);
        assertEquals("kubectl keyferry: --source old-9: users has no such source; its sources are old-0, old-1\n", run.err());
    }

    @Test
    void aMigrationWithoutWorkerPodsSaysSo() {
        Fixtures.put(client, Fixtures.migration("idle", null, 1));

        PluginRun run = PluginRun.of(client, "logs", "idle", "-n", "test");

        assertEquals(ExitCodes.NOT_FOUND, run.exitCode(), run::toString);
    }
}
