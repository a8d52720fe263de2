package io.keyferry.testing.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.RedisBinary;
import io.keyferry.testing.RedisServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The doubles cannot drift from the recordings: the whole recorded script of each store is replayed, in order on
 * one connection as it was recorded, through its double in front of a fresh redis-server, and every reply must be
 * the recorded one. Where a reply depends on what no double can reproduce, the comparison says so in
 * {@link #same}: remaining TTLs (within a second), the order of unordered collections, which elements a
 * partial SCAN page holds, a describing command (INFO) recorded with another reply later in the script, and the
 * two kinds of reply listed in {@link #NOT_REPRODUCED}.
 * The WAL exchanges (step pollupdates) belong to live sync and are not played.
 */
class StoreDoubleTest {
    /** Replies that hold the members of an unordered collection. */
    private static final Set<String> UNORDERED = Set.of("HGETALL", "SMEMBERS", "HKEYS", "HVALS");
    private static final Set<String> PAIRS = Set.of("HGETALL", "HSCAN", "ZSCAN");
    private static final Set<String> SCANS = Set.of("SCAN", "HSCAN", "SSCAN", "ZSCAN");
    /**
     * Replies no double reproduces, which must still be of the recorded kind: a Kvrocks DUMP payload is Kvrocks' own
     * (old RDB encodings, version 6), which KeyFerry never restores (DUMP/RESTORE only between Redis servers:
     * PairStrategy); MEMORY USAGE is the server's own bookkeeping, which KeyFerry never asks.
     */
    private static final Set<String> NOT_REPRODUCED = Set.of("kvrocks DUMP", "kvrocks MEMORY");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pika", "kvrocks"})
    void replaysEveryRecordedExchangeWithTheRecordedReply(String store) throws IOException {
        Assumptions.assumeTrue(RedisBinary.get().major() >= 7, "needs Redis 7: the stores were recorded answering"
                + " XINFO STREAM with Redis 7's fields, which the bundled redis-server 6.2 behind the double lacks");
        Recording recording = Recording.of(store);
        List<String> differences = new ArrayList<>();
        int played = 0;
        try (RedisServer redis = RedisServer.start();
             StoreDouble peer = store.equals("pika") ? StoreDouble.pika(redis) : StoreDouble.kvrocks(redis)) {
            Client client = new Client(peer.port());
            for (Recording.Exchange e : recording.exchanges()) {
                if (e.step().equals("pollupdates")) {
                    continue;
                }
                if (e.step().equals("big") && redis.redis().exists("bh") == 0) {
                    seedBigKeys(redis);
                }
                Object got = client.call(replayable(e.cmd()));
                played++;
                if (got == Recording.NO_REPLY) {
                    client.close();
                    client = new Client(peer.port()); // as the recorder did after no reply
                }
                if (!same(recording, e, got)) {
                    differences.add("line " + e.line() + " " + e.command() + ": recorded " + show(e.reply()) + ", double " + show(got));
                }
            }
            client.close();
        }
        assertTrue(played > 120, "played " + played);
        assertEquals(List.of(), differences);
    }

    /** The recorder made the collections of its step big out of band: 600 elements each, named by number. */
    private static void seedBigKeys(RedisServer redis) {
        for (int i = 0; i < 600; i++) {
            redis.redis().hset("bh", "f" + i, "v" + i);
            redis.redis().sadd("bs", "m" + i);
            redis.redis().zadd("bz", i, "m" + i);
            redis.redis().rpush("bl", "e" + i);
        }
    }

    /** PEXPIREAT's time was 500 s ahead when recorded: so it is when replayed. */
    private static List<byte[]> replayable(List<byte[]> cmd) {
        if (!RecordedDialect.name(cmd).equals("PEXPIREAT")) {
            return cmd;
        }
        return RecordedDialect.with(cmd, 2, Long.toString(System.currentTimeMillis() + 500_000));
    }

    static boolean same(Recording recording, Recording.Exchange e, Object got) {
        Object want = e.reply();
        if (deepEquals(want, got)) {
            return true;
        }
        String name = e.name();
        if (NOT_REPRODUCED.contains(recording.store() + " " + name)) {
            return want != null && got != null && want.getClass() == got.getClass();
        }
        if (name.equals("INFO")) { // recorded more than once, with counters that moved between
            return recording.exchanges().stream().anyMatch(o -> o.command().equals(e.command()) && deepEquals(o.reply(), got));
        }
        if ((name.equals("PTTL") || name.equals("TTL")) && want instanceof Long w && got instanceof Long g && w >= 0 && g >= 0) {
            return Math.abs(w - g) <= (name.equals("PTTL") ? 1000 : 1);
        }
        if (UNORDERED.contains(name)) {
            return members(name, want).equals(members(name, got));
        }
        if (SCANS.contains(name) && want instanceof List<?> w && got instanceof List<?> g) {
            boolean wantDone = "0".equals(Wire.text((byte[]) w.get(0)));
            boolean gotDone = "0".equals(Wire.text((byte[]) g.get(0)));
            return wantDone == gotDone && (!wantDone || members(name, w.get(1)).equals(members(name, g.get(1))));
        }
        return false;
    }

    /** A collection's elements (pairs where they come in pairs) with how often each occurs. */
    private static Map<List<ByteBuffer>, Integer> members(String name, Object reply) {
        Map<List<ByteBuffer>, Integer> counts = new HashMap<>();
        if (!(reply instanceof List<?> items)) {
            return counts;
        }
        int step = PAIRS.contains(name) ? 2 : 1;
        for (int i = 0; i + step - 1 < items.size(); i += step) {
            List<ByteBuffer> element = new ArrayList<>();
            for (int j = 0; j < step; j++) {
                element.add(ByteBuffer.wrap((byte[]) items.get(i + j)));
            }
            counts.merge(element, 1, Integer::sum);
        }
        return counts;
    }

    static boolean deepEquals(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!deepEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(a, b);
    }

    static String show(Object reply) {
        if (reply instanceof byte[] b) {
            String s = Wire.text(b);
            return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
        }
        if (reply instanceof List<?> items) {
            List<String> shown = items.stream().limit(8).map(StoreDoubleTest::show).toList();
            return shown + (items.size() > 8 ? "+" + (items.size() - 8) : "");
        }
        return String.valueOf(reply);
    }

    /** One connection to a double, a command at a time; a reply that does not come within a second is none. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(1000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Object call(List<byte[]> cmd) throws IOException {
            Wire.writeCommand(out, cmd);
            out.flush();
            try {
                return Wire.readReply(in);
            } catch (SocketTimeoutException e) {
                return Recording.NO_REPLY;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
