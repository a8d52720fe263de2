package io.keyferry.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.StoreDouble;
import io.keyferry.testing.peers.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bare connection's promises: bounded pipelines where asked, and never a reply read out of step. */
class RespConnectionTest {

    @Test
    void readsTheRepliesOfABoundedPipelineBeforeSendingMoreAndReturnsThemAllInOrder() throws IOException {
        try (RedisServer redis = RedisServer.start(); StoreDouble peer = StoreDouble.pika(redis).limitPipelines(10, 1 << 20);
             RespConnection c = new RespConnection("target", new Socket(InetAddress.getLoopbackAddress(), peer.port()), null)) {
            c.bound(10, 1 << 20);
            for (int i = 0; i < 95; i++) {
                c.send(Resp.ascii("INCR"), Resp.ascii("n"));
            }
            List<Object> replies = c.sync();

            assertEquals(95, replies.size());
            for (int i = 0; i < 95; i++) {
                assertEquals((long) i + 1, replies.get(i));
            }
            assertEquals("95", redis.redis().get("n"));
            assertEquals(0, peer.stalls());
            assertEquals(10, peer.deepestPipeline(), "at most 10 commands sent before their replies were read");
        }
    }

    /**
     * A long pipeline's replies, awaited in a nap as long as the server took per byte of the one before, are all read
     * after it, in order; the clock is the test's, so the nap's length does not depend on this machine's speed.
     */
    @Test
    void awaitsTheRepliesOfALongPipelineInANapAsLongAsTheLastOneTookPerByte() throws IOException {
        long[] now = {0};
        List<Long> naps = new ArrayList<>();
        try (RedisServer redis = RedisServer.start();
             RespConnection c = new RespConnection("target", new Socket(InetAddress.getLoopbackAddress(), redis.port()), null)) {
            c.napping(new ReplyNap(() -> now[0], naps::add));
            long bytes = sets(c, 0);
            c.awaitReplies();
            now[0] = 10_000_000; // answered 10 ms after it was written
            assertEquals(2000, c.sync().size());
            assertEquals(List.of(), naps, "nothing to go by the first time");

            now[0] = 20_000_000;
            assertEquals(bytes, sets(c, 2000), "the same bytes again");
            c.awaitReplies();
            List<Object> replies = c.sync();

            assertEquals(1, naps.size());
            assertEquals(8_500_000, naps.get(0), 1, "85% of the 10 ms the same bytes took");
            assertEquals(2000, replies.size());
            replies.forEach(r -> assertEquals("OK", new String((byte[]) r, StandardCharsets.UTF_8)));
            assertEquals("3999", redis.redis().get("k3999"));
        }
    }

    /** 2,000 SETs of keys k{from}...: the bytes they take on the wire. */
    private static long sets(RespConnection c, int from) {
        long bytes = 0;
        for (int i = from; i < from + 2000; i++) {
            String n = String.format("%04d", i);
            c.send(Resp.ascii("SET"), Resp.ascii("k" + n), Resp.ascii(n));
            bytes += ("*3\r\n$3\r\nSET\r\n$5\r\nk" + n + "\r\n$4\r\n" + n + "\r\n").length();
        }
        return bytes;
    }

    /**
     * A reply that cannot be parsed (here a bulk string's length that is not a number, as a store that answers in
     * its own way may send) fails the batch and closes the connection: later calls fail at once instead of
     * reading what follows as the next reply.
     */
    @Test
    void aReplyThatCannotBeParsedClosesTheConnectionSoNothingIsReadOutOfStep() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> answerGarbageThenValid(server));
            peer.setDaemon(true);
            peer.start();
            RespConnection c = new RespConnection("target (test)", new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()), null);
            c.send(Resp.ascii("GET"), Resp.ascii("a"));
            c.send(Resp.ascii("GET"), Resp.ascii("b"));

            IllegalStateException failed = assertThrows(IllegalStateException.class, c::sync);
            assertTrue(failed.getMessage().startsWith("target (test): connection lost: not a RESP2 number"), failed.getMessage());
            IllegalStateException later = assertThrows(IllegalStateException.class, () -> c.send(Resp.ascii("PING")));
            assertTrue(later.getMessage().contains("lost earlier (connection lost: not a RESP2 number"), later.getMessage());
        }
    }

    /**
     * A bulk string longer than a quarter of the heap (a hostile or broken server's claim) is refused before any array
     * is made for it, naming the length and the limit.
     */
    @Test
    void aBulkStringLongerThanAQuarterOfTheHeapIsRefusedBeforeItIsAllocated() throws Exception {
        long quarter = Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 4);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String claim = "$" + (quarter + 1) + "\r\nabc";
            Thread peer = new Thread(() -> answer(server, 1, claim));
            peer.setDaemon(true);
            peer.start();
            RespConnection c = new RespConnection("source (test)", new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()), null);
            c.send(Resp.ascii("GET"), Resp.ascii("a"));

            IllegalStateException failed = assertThrows(IllegalStateException.class, c::sync);
            assertTrue(failed.getMessage().contains("a value of " + (quarter + 1) + " bytes, more than this process holds at once ("
                    + quarter + " bytes"), failed.getMessage());
        }
    }

    private static void answerGarbageThenValid(ServerSocket server) {
        answer(server, 2, "$1x\r\nvalue\r\n$5\r\nother\r\n");
    }

    /** Reads {@code commands} commands, answers them with {@code replies}, and waits for the client to close. */
    private static void answer(ServerSocket server, int commands, String replies) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            List<List<byte[]>> got = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                got.add(Wire.readCommand(in));
            }
            out.write(replies.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.read(); // until the client closes
        } catch (IOException ignored) {
            // the client went away
        }
    }
}
