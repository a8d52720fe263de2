package io.keyferry.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real redis-server process on a free loopback port, started and stopped by a test; which binary,
 * {@link RedisBinary} says. {@link #withoutDumpRestore()} renames DUMP, RESTORE and MIGRATE away, standing in
 * for Pika.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;
    /** The command line it was started with, to start it again after a crash. */
    private List<String> command;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisConnection<byte[], byte[]> binaryConnection;

    private RedisServer(int port, Path dir, Process process, String password, boolean tls) {
        this.port = port;
        this.dir = dir;
        this.process = process;
        RedisURI.Builder uri = RedisURI.Builder.redis("127.0.0.1", port).withSsl(tls).withVerifyPeer(false);
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        this.client = RedisClient.create(uri.build());
    }

    /** Stands for the server's port in {@link #start(List)}'s arguments. */
    public static final String PORT = "{port}";

    /** A server that speaks only TLS, on its port, with this certificate and key; clients need no certificate. */
    public static RedisServer withTls(Path cert, Path key, Path ca) {
        return start(List.of("--port", "0", "--tls-port", PORT, "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
    }

    public static RedisServer start() {
        return start(List.of());
    }

    /** A server that answers DEBUG: Redis 7 must be told to, 6.2 always does. */
    public static RedisServer withDebugCommand() {
        return start(RedisBinary.get().major() >= 7 ? List.of("--enable-debug-command", "yes") : List.of());
    }

    public static RedisServer withoutDumpRestore() {
        return start(List.of("--rename-command", "DUMP", "", "--rename-command", "RESTORE", "",
                "--rename-command", "MIGRATE", ""));
    }

    public static RedisServer start(List<String> extraArgs) {
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            try {
                Path dir = Files.createTempDirectory("keyferry-redis-" + port + "-");
                List<String> cmd = new ArrayList<>(List.of(RedisBinary.get().path().toString(),
                        "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "",
                        "--appendonly", "no", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
                extraArgs.forEach(a -> cmd.add(a.replace(PORT, String.valueOf(port))));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
                if (waitUntilListening(port, p, dir.resolve("redis.log"))) {
                    int pass = extraArgs.indexOf("--requirepass");
                    RedisServer server = new RedisServer(port, dir, p, pass < 0 ? null : extraArgs.get(pass + 1),
                            extraArgs.contains("--tls-port"));
                    server.command = cmd;
                    return server;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + RedisBinary.get().path(), e);
            }
        }
        throw new IllegalStateException("redis-server did not start on a free port after 5 attempts");
    }

    /**
     * Until this server says it is ready and the port answers. A connect alone is not proof: another process
     * may hold the port for a moment, or a socket may connect to itself when the kernel picks the port being
     * probed as its own ephemeral port; so the server's own log must also say it accepts connections.
     */
    private static boolean waitUntilListening(int port, Process p, Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            if (ready(log)) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return p.isAlive();
                } catch (IOException notYet) {
                    // ready but not reachable yet
                }
            }
            sleep(20);
        }
        return false;
    }

    private static boolean ready(Path log) {
        try {
            return Files.exists(log) && Files.readString(log).contains("Ready to accept connections");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() { return port; }

    /** How many times this server ran a command (lower case) since its stats were last reset: INFO commandstats. */
    public long calls(String command) {
        String line = redis().info("commandstats").lines().filter(l -> l.startsWith("cmdstat_" + command + ":"))
                .findFirst().orElse("calls=0,");
        int at = line.indexOf("calls=") + "calls=".length();
        return Long.parseLong(line.substring(at, line.indexOf(',', at)));
    }

    public String uri() { return "redis://127.0.0.1:" + port + "/0"; }

    public String uri(int db) { return "redis://127.0.0.1:" + port + "/" + db; }

    /** String commands on db 0. */
    public synchronized RedisCommands<String, String> redis() {
        if (connection == null) {
            connection = client.connect();
        }
        return connection.sync();
    }

    /** Binary-safe commands on db 0. */
    public synchronized RedisCommands<byte[], byte[]> binary() {
        if (binaryConnection == null) {
            binaryConnection = client.connect(ByteArrayCodec.INSTANCE);
        }
        return binaryConnection.sync();
    }

    /**
     * kill -9 of the server, then the same server started again on its port and directory: what it had written to its
     * append-only file (start it with {@code --appendonly yes --appendfsync always}) is all it keeps.
     */
    public synchronized void crashAndRestart() {
        process.destroyForcibly();
        try {
            process.waitFor();
            if (connection != null) {
                connection.close();
                connection = null;
            }
            if (binaryConnection != null) {
                binaryConnection.close();
                binaryConnection = null;
            }
            // The new process's "Ready" line, once it has loaded its append-only file, is the one to wait for.
            Files.move(dir.resolve("redis.log"), dir.resolve("redis.log." + System.nanoTime()));
            for (int attempt = 0; attempt < 50; attempt++) {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
                if (waitUntilListening(port, p, dir.resolve("redis.log"))) {
                    process = p;
                    return;
                }
                p.destroyForcibly().waitFor();
                Thread.sleep(100); // the port may be held a moment longer
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        throw new IllegalStateException("redis-server did not restart on port " + port);
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (binaryConnection != null) {
            binaryConnection.close();
        }
        // Not waited for: its connections are closed already, and its event loops take about 100 ms to stop (Netty
        // looks at a stopping loop every 100 ms), which every server of the suite paid. A shutdown that never
        // completes (seen once in ClusterPipeTest) cannot hang the suite either.
        client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        // SIGKILL: a test server has nothing to keep, and SIGTERM's orderly shutdown cost each server tens of ms
        process.destroyForcibly();
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(dir);
    }

    /** Deletes a directory and what it holds, as far as it can (tests' temporary directories). */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}
