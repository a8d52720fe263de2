package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.cli.ExitCodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An API server that cannot be reached (a wrong context, a cluster that is down) is named with what stood in the way
 * and where to look, after one retry: the client's own default of ten, with a doubling pause, kept a person waiting
 * some 20 s for an answer kubectl gives at once.
 */
class UnreachableApiServerTest {

    @Test
    void aRefusedConnectionIsNamedWithWhereToLook() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once it is closed
        }
        PluginRun run = run(kubeconfig(closed), "ls");

        assertEquals(ExitCodes.API_ERROR, run.exitCode(), run::toString);
        assertTrue(run.err().contains("the API server at http://127.0.0.1:" + closed + "/ could not be reached: connection refused"),
                run::toString);
        assertTrue(run.err().contains("check the context (--context, --kubeconfig, $KUBECONFIG) and that `kubectl cluster-info`"
                + " answers"), run::toString);
    }

    @Test
    void anUnknownHostIsNamedAsSuchNotAsARefusal() throws IOException {
        Path config = kubeconfig(6443);
        Files.writeString(config, Files.readString(config).replace("127.0.0.1", "no-such-host.invalid"));

        PluginRun run = run(config, "status", "users");

        assertEquals(ExitCodes.API_ERROR, run.exitCode(), run::toString);
        assertTrue(run.err().contains("the API server at http://no-such-host.invalid:6443/ could not be reached: its host name"
                + " is not known"), run::toString);
    }

    @Test
    void aServerThatDropsEveryConnectionIsTriedOnceMoreNotTenTimes() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread dropper = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet(); // closed at once, unanswered
                    } catch (IOException closedServer) {
                        return;
                    }
                }
            });
            dropper.setDaemon(true);
            dropper.start();

            PluginRun run = run(kubeconfig(server.getLocalPort()), "status", "users", "-n", "test");

            assertEquals(ExitCodes.API_ERROR, run.exitCode(), run::toString);
            assertTrue(run.err().contains("could not be reached"), run::toString);
            // The request and its one retry; the HTTP client may try a dropped connection once more by itself.
            assertTrue(connections.get() >= 2 && connections.get() <= 2 * (KubeOptions.RETRIES + 1),
                    connections.get() + " connections\n" + run);
        }
    }

    private static Path kubeconfig(int port) throws IOException {
        Path file = Files.createTempFile("kubeconfig", ".yaml");
        Files.writeString(file, String.join("\n",
                "apiVersion: v1", "kind: Config",
                "clusters: [{name: c, cluster: {server: \"http://127.0.0.1:" + port + "\"}}]",
                "contexts: [{name: c, context: {cluster: c, user: u, namespace: test}}]",
                "current-context: c",
                "users: [{name: u, user: {token: t}}]", ""));
        file.toFile().deleteOnExit();
        return file;
    }

    /** The plugin with the real client the kubeconfig names (not the mock's). */
    private static PluginRun run(Path kubeconfig, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--kubeconfig";
        all[1] = kubeconfig.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return PluginRun.in(new Environment(Environment::client, Terminal.NONE, Clock.systemUTC(), d -> { }), all);
    }
}
