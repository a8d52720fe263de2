package io.keyferry.testing.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyferry.testing.RedisServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hostile double, once mended, serves new connections as the server behind it; a connection opened while it was
 * hostile stays hostile, so that commands its client sent before giving up are never applied afterwards, out of
 * order. (HostileRepliesTest once saw the last 199 of a stream's 700 XADDs applied after the heal, from the failed
 * run's connection, and the resumed copy then took the stream as copied.)
 */
class HostileDialectTest {
    private static Object call(OutputStream out, InputStream in, String... args) throws IOException {
        Wire.writeCommand(out, java.util.Arrays.stream(args).map(Wire::bytes).toList());
        out.flush();
        return Wire.readReply(in);
    }

    @Test
    void aConnectionOpenedBeforeTheHealStaysFaultedAndANewOneIsForwarded() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            HostileDialect hostile = new HostileDialect("SET", HostileDialect.Fault.ERROR);
            try (StoreDouble d = StoreDouble.of(hostile, redis);
                 Socket before = new Socket(InetAddress.getLoopbackAddress(), d.port())) {
                InputStream in = new BufferedInputStream(before.getInputStream());
                OutputStream out = before.getOutputStream();
                assertEquals(new Wire.Simple("PONG"), call(out, in, "PING")); // served: its dialect is fixed
                hostile.heal();
                Object refused = call(out, in, "SET", "k", "old");
                assertEquals(Wire.Err.class, refused.getClass(), String.valueOf(refused));
                assertNull(redis.redis().get("k"), "the old connection's SET was not applied");
                try (Socket after = new Socket(InetAddress.getLoopbackAddress(), d.port())) {
                    Object ok = call(after.getOutputStream(), new BufferedInputStream(after.getInputStream()), "SET", "k", "new");
                    assertEquals(new Wire.Simple("OK"), ok);
                }
                assertEquals("new", redis.redis().get("k"));
                assertEquals(1, hostile.faults());
            }
        }
    }
}
