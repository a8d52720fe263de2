package io.keyferry.engine.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataType;
import io.keyferry.api.EndpointSpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.testing.peers.Wire;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RESTOREs' replies are checked in bulk, as they arrive, on the walk's thread: a target that writes them a byte at
 * a time (every reply cut at every place), more batches than the window, an EXISTS before each where counted, a
 * refusal longer than the reply buffer, which names its key, and a line with no end, refused at 1 MiB.
 */
class RestoresTest {
    private static final int KEYS = 2_000;
    private static final int BATCH = 7;

    @Test
    void repliesCutAnywhereAreCheckedAndCountedInOrder() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread target = answer(server, null, null);
            Counters counters;
            try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
                 Restores restores = new Restores(open(endpoints, server), true, BATCH)) {
                for (int i = 0; i < KEYS; i++) {
                    restores.restore(key(i), i % 2 == 0 ? DataType.HASH : DataType.STRING, i % 3 == 0 ? 4_000_000_000_000L : -1,
                            new byte[] {0, 1, 'v', 10, 0, 1, 2, 3, 4, 5, 6, 7}, 12);
                }
                counters = restores.finish();
            }
            target.join();
            // The target says keys divisible by 5 existed: those were overwritten, the rest written.
            long overwritten = (KEYS + 4) / 5;
            assertEquals(overwritten, counters.total(Outcome.OVERWRITTEN));
            assertEquals(KEYS - overwritten, counters.total(Outcome.WRITTEN));
            assertEquals(KEYS / 2, counters.get(DataType.HASH, Outcome.WRITTEN) + counters.get(DataType.HASH, Outcome.OVERWRITTEN));
        }
    }

    @Test
    void aRefusalLongerThanTheBufferNamesItsKey() throws Exception {
        String refusal = "-ERR " + "x".repeat(100_000);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread target = answer(server, "RESTORE", refusal);
            try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
                 Restores restores = new Restores(open(endpoints, server), false, BATCH)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> restoreStrings(restores));
                assertTrue(e.getMessage().contains("RESTORE of k:13 answered " + refusal), e.getMessage().substring(0, 80));
            }
            target.join();
        }
    }

    @Test
    void aReplyLineWithoutAnEndIsRefusedNotBuffered() throws Exception {
        String endless = "-ERR " + "x".repeat(2 << 20); // its CRLF comes only after 2 MiB
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread target = answer(server, "RESTORE", endless);
            try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
                 Restores restores = new Restores(open(endpoints, server), false, BATCH)) {
                IOException e = assertThrows(IOException.class, () -> restoreStrings(restores));
                assertTrue(e.getMessage().contains(":" + server.getLocalPort()) && e.getMessage().contains("longer than 1048576"),
                        e.getMessage());
            }
            target.join();
        }
    }

    @Test
    void anExistsAnsweredWithAnythingButZeroOrOneNamesTheTarget() throws Exception {
        String number = ":123456789012345678901234567890";
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread target = answer(server, "EXISTS", number);
            try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
                 Restores restores = new Restores(open(endpoints, server), true, BATCH)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> restoreStrings(restores));
                assertTrue(e.getMessage().contains(":" + server.getLocalPort()) && e.getMessage().contains("EXISTS k:13 answered " + number),
                        e.getMessage());
            }
            target.join();
        }
    }

    /** RESTOREs of KEYS strings, then the last replies awaited. */
    private static void restoreStrings(Restores restores) throws IOException {
        for (int i = 0; i < KEYS; i++) {
            restores.restore(key(i), DataType.STRING, -1, new byte[] {0, 1, 'v', 10, 0, 1, 2, 3, 4, 5, 6, 7}, 12);
        }
        restores.finish();
    }

    private static byte[] key(int i) {
        return ("k:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static io.keyferry.engine.redis.RespConnection open(Endpoints endpoints, ServerSocket server) {
        EndpointSpec spec = new EndpointSpec();
        spec.setUri("redis://127.0.0.1:" + server.getLocalPort());
        return endpoints.openRaw(spec, "spec.target.endpoint", "target");
    }

    /**
     * A target answering EXISTS with :1 for keys divisible by 5 and RESTORE with +OK (or the command named, for k:13,
     * with the refusal given), each reply written a byte at a time; it reads until the client closes.
     */
    private static Thread answer(ServerSocket server, String refused, String refusal) {
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                for (List<byte[]> command = Wire.readCommand(in); command != null; command = Wire.readCommand(in)) {
                    String name = Wire.text(command.get(0));
                    int k = Integer.parseInt(Wire.text(command.get(1)).substring(2));
                    String reply = name.equals(refused) && k == 13 ? refusal
                            : name.equals("EXISTS") ? (k % 5 == 0 ? ":1" : ":0") : "+OK";
                    byte[] bytes = (reply + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    if (bytes.length > 1024) {
                        out.write(bytes); // a long refusal whole
                        out.flush();
                    }
                    for (int i = 0; i < bytes.length && bytes.length <= 1024; i++) {
                        out.write(bytes[i]);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // the client closed
            }
        }, "restores-test-target");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
