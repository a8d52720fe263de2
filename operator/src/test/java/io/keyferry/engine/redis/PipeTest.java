package io.keyferry.engine.redis;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.EndpointSpec;
import io.keyferry.api.SecretKeyRef;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two {@link Pipe}s against a real server: the bare RESP connection of a standalone link and the
 * Lettuce-backed one of a cluster link must return every reply shape alike.
 */
@ExtendWith(Canary.class)
class PipeTest {
    private static RedisServer server;
    private static Endpoints endpoints;
    private static RedisLink link;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        endpoints = new Endpoints(new FileSecretResolver(null));
        link = endpoints.connect(endpoint(server.uri()), "spec.target.endpoint", "target");
        var r = server.redis();
        r.set("s", "value");
        r.hset("h", Map.of("f1", "v1", "f2", "v2"));
        r.rpush("l", "a", "b", "c");
        r.zadd("z", 1.5, "m1");
        r.zadd("z", Double.POSITIVE_INFINITY, "m2");
        r.xadd("x", Map.of("k", "v"));
        r.xadd("x", Map.of("k2", "v2"));
    }

    @AfterAll
    static void stop() {
        link.close();
        endpoints.close();
        server.close();
    }

    private static EndpointSpec endpoint(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        return e;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Object> everyShape(Pipe pipe) {
        pipe.send(b("GET"), b("s"));                       // bulk
        pipe.send(b("GET"), b("missing"));                 // nil
        pipe.send(b("TYPE"), b("h"));                      // status
        pipe.send(b("PTTL"), b("s"));                      // integer, negative
        pipe.send(b("HLEN"), b("h"));                      // integer
        pipe.send(b("LRANGE"), b("l"), b("0"), b("-1"));   // array
        pipe.send(b("LRANGE"), b("missing"), b("0"), b("-1")); // empty array
        pipe.send(b("ZRANGE"), b("z"), b("0"), b("-1"), b("WITHSCORES")); // scores as the server prints them
        pipe.send(b("XRANGE"), b("x"), b("-"), b("+"));    // nested arrays
        pipe.send(b("HGETALL"), b("s"));                   // error
        pipe.send(b("SET"), b("s"), b("value"));           // +OK
        return pipe.sync();
    }

    /** Arrays made comparable: byte[] as text, errors as their message. */
    private static Object plain(Object reply) {
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> items) {
            List<Object> out = new ArrayList<>();
            items.forEach(i -> out.add(plain(i)));
            return out;
        }
        return reply;
    }

    @Test
    void theBareConnectionParsesEveryReplyShape() {
        Pipe pipe = link.pipe();
        assertInstanceOf(RespConnection.class, pipe);
        List<Object> replies = everyShape(pipe);
        assertEquals("value", plain(replies.get(0)));
        assertNull(replies.get(1));
        assertEquals("hash", plain(replies.get(2)));
        assertEquals(-1L, replies.get(3));
        assertEquals(2L, replies.get(4));
        assertEquals(List.of("a", "b", "c"), plain(replies.get(5)));
        assertEquals(List.of(), replies.get(6));
        assertEquals(List.of("m1", "1.5", "m2", "inf"), plain(replies.get(7)));
        List<?> entries = (List<?>) replies.get(8);
        assertEquals(2, entries.size());
        assertEquals(List.of("k2", "v2"), plain(((List<?>) entries.get(1)).get(1)));
        assertTrue(assertInstanceOf(Resp.Error.class, replies.get(9)).wrongType());
        assertTrue(Resp.ok(replies.get(10)));
    }

    @Test
    void aClusterLinksPipeReturnsTheSameReplies() {
        List<Object> bare = everyShape(link.pipe());
        List<Object> lettuce = everyShape(new LinkPipe(link));
        assertEquals(bare.size(), lettuce.size());
        for (int i = 0; i < bare.size(); i++) {
            assertEquals(plain(bare.get(i)), plain(lettuce.get(i)), "reply " + i); // Resp.Error is a record: equal messages
        }
    }

    @Test
    void aFilterSeesEachReplyAsItIsReadAndWhatItKeepsStandsInItsPlace() {
        Pipe bare = link.pipe();
        bare.send(b("SET"), b("filtered:long"), b("abcdef"));
        bare.send(b("SET"), b("filtered:short"), b("ab"));
        bare.sync();
        ((RespConnection) bare).bound(2, 0); // replies read early, before the sync, pass the filter too
        try {
            for (Pipe pipe : List.of(bare, new LinkPipe(link))) {
                List<Integer> seen = new ArrayList<>();
                pipe.filtering((at, reply) -> {
                    seen.add(at);
                    return reply instanceof byte[] v && v.length > 3 ? "dropped" : reply;
                });
                for (String key : List.of("filtered:long", "filtered:short", "filtered:long", "filtered:none", "filtered:short")) {
                    pipe.send(b("GET"), b(key));
                }
                List<Object> replies = pipe.sync();

                assertEquals(List.of(0, 1, 2, 3, 4), seen, pipe.getClass().getSimpleName());
                assertEquals(Arrays.asList("dropped", "ab", "dropped", null, "ab"),
                        replies.stream().map(r -> r instanceof byte[] v ? new String(v, StandardCharsets.UTF_8) : r).toList());
                pipe.send(b("GET"), b("filtered:long"));
                assertArrayEquals(b("abcdef"), (byte[]) pipe.sync().get(0), "the sync cleared the filter");
            }
        } finally {
            ((RespConnection) bare).bound(0, 0);
        }
    }

    @Test
    void bigValuesAndBatchesBiggerThanTheBufferTravelWhole() {
        Pipe pipe = link.pipe();
        byte[] big = new byte[3 << 20];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = 'y';
        pipe.send(b("SET"), b("big"), big);
        pipe.send(b("GET"), b("big"));
        List<Object> replies = pipe.sync();
        assertTrue(Resp.ok(replies.get(0)));
        assertArrayEquals(big, (byte[]) replies.get(1));

        byte[] value = new byte[200];
        for (int i = 0; i < 20_000; i++) { // about 4 MB of commands: written out as they pass 1 MiB
            pipe.send(b("SET"), b("k" + i), value);
        }
        List<Object> sets = pipe.sync();
        assertEquals(20_000, sets.size());
        assertTrue(sets.stream().allMatch(Resp::ok));
        assertTrue(server.redis().dbsize() >= 20_000);
    }

    @Test
    void logsInAndSelectsTheDatabase(@TempDir Path secrets) throws Exception {
        try (RedisServer locked = RedisServer.start()) {
            locked.redis().configSet("requirepass", Canary.PASSWORD);
            Files.createDirectories(secrets.resolve("redis"));
            Files.writeString(secrets.resolve("redis").resolve("password"), Canary.PASSWORD);
            EndpointSpec spec = endpoint(locked.uri(3));
            SecretKeyRef ref = new SecretKeyRef();
            ref.setName("redis");
            ref.setKey("password");
            spec.setPasswordSecretRef(ref);
            try (Endpoints withSecrets = new Endpoints(new FileSecretResolver(secrets));
                 RedisLink l = withSecrets.connect(spec, "spec.target.endpoint", "target")) {
                assertTrue(Resp.ok(Resp.call(l.pipe(), b("SET"), b("in-db-3"), b("1"))));
                assertEquals(1L, Resp.call(l.pipe(), b("DBSIZE")));
            }
            Files.writeString(secrets.resolve("redis").resolve("password"), "wrong");
            try (Endpoints wrong = new Endpoints(new FileSecretResolver(secrets))) {
                Exception e = assertThrows(IllegalStateException.class, () -> wrong.openRaw(spec, "spec.target.endpoint", "target"));
                assertTrue(e.getMessage().contains("AUTH answered"), e.getMessage());
            }
        }
    }

    @Test
    void aLostConnectionFailsEveryLaterCallWithTheEndpointsName() {
        try (RedisServer doomed = RedisServer.start();
             RedisLink l = endpoints.connect(endpoint(doomed.uri()), "spec.target.endpoint", "target")) {
            Pipe pipe = l.pipe();
            assertTrue(Resp.ok(Resp.call(pipe, b("SET"), b("a"), b("1"))));
            doomed.redis().clientKill(io.lettuce.core.KillArgs.Builder.typeNormal()); // both connections, the pipe's too
            Exception lost = assertThrows(IllegalStateException.class, () -> Resp.call(pipe, b("GET"), b("a")));
            assertTrue(lost.getMessage().contains("target (" + doomed.uri() + "): connection lost"), lost.getMessage());
            Exception later = assertThrows(IllegalStateException.class, () -> pipe.send(b("GET"), b("a")));
            assertTrue(later.getMessage().contains("lost earlier"), later.getMessage());
        }
    }

    /**
     * A Lettuce connection the server dropped between two commands (here with CLIENT KILL) is opened again before the
     * next command is queued, instead of refusing it with Lettuce's "Currently not connected" (seen on a loaded
     * machine). A second link that never used its Lettuce connection is not counted.
     */
    @Test
    void aLettuceConnectionDroppedBetweenCommandsIsOpenedAgain() {
        try (RedisLink own = endpoints.connect(endpoint(server.uri()), "spec.target.endpoint", "target")) {
            assertEquals(3L, own.call(own.async().llen("l".getBytes(StandardCharsets.UTF_8))));
            String name = "keyferry-pipetest-" + System.nanoTime();
            own.call(own.async().clientSetname(name.getBytes(StandardCharsets.UTF_8)));
            long killed = server.redis().clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme(true)
                    .user("default").id(clientId(name)));
            assertEquals(1L, killed, "the link's Lettuce connection was killed by the server");
            for (int i = 0; i < 200 && own.asyncOpen(); i++) {
                sleep(10); // until the client has seen the connection close
            }
            assertEquals(3L, own.call(own.async().llen("l".getBytes(StandardCharsets.UTF_8))));
            assertEquals(1, own.reopened());
            assertEquals(0, link.reopened());
        }
    }

    private static long clientId(String name) {
        for (String line : server.redis().clientList().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                return Long.parseLong(line.substring(3, line.indexOf(' ')));
            }
        }
        throw new AssertionError("no client named " + name + " in CLIENT LIST");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
