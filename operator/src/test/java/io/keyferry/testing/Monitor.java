package io.keyferry.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Redis's MONITOR on one server: every command it executes, in order, as Redis logs them (a transaction's commands
 * only when its EXEC runs them, so a compare-and-set that lost writes nothing here).
 */
public final class Monitor implements AutoCloseable {
    private final Socket socket;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Monitor(Socket socket) {
        this.socket = socket;
        this.reader = new Thread(this::read, "redis-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    public static Monitor of(RedisServer server) {
        try {
            Socket socket = new Socket("127.0.0.1", server.port());
            OutputStream out = socket.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new Monitor(socket);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException closed) {
            // closed by the test
        }
    }

    /** The values SET to {@code key}, in the order the server executed them. */
    public List<String> valuesSet(String key) {
        String prefix = "\"set\" \"" + key + "\" \"";
        return lines.stream().map(l -> l.substring(l.indexOf(']') + 2)).filter(l -> l.toLowerCase().startsWith(prefix.toLowerCase()))
                .map(l -> l.substring(prefix.length(), l.indexOf('"', prefix.length()))).toList();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
