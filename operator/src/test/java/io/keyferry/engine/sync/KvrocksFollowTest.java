package io.keyferry.engine.sync;

import static io.keyferry.engine.sync.FollowTest.await;
import static io.keyferry.engine.sync.FollowTest.follower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.RecordedWal;
import io.keyferry.testing.peers.StoreDouble;
import io.keyferry.testing.peers.Wire;
import java.io.BufferedInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * `keyferry run --follow` of a Kvrocks source, played by the Kvrocks double (recorded replies, a redis-server behind)
 * whose write-ahead log is made of the batches a real Kvrocks logged for the same writes ({@link RecordedWal}): the
 * writes reach the target through POLLUPDATES, the position survives a kill -9, a recycled log or a source restored
 * behind the saved sequence is verified with repair, and a FLUSHDB stops the follow saying why. No live Kvrocks runs here: the batches are Kvrocks' of 2024-10.
 */
class KvrocksFollowTest {
    /** The recorded writes in the recorded order (FLUSHDB apart). */
    private static final List<List<String>> WRITES = List.of(
            List.of("SET", "w:str", "v", "PX", "100000"), List.of("HSET", "w:hash", "a", "1", "b", "2"),
            List.of("HDEL", "w:hash", "a"), List.of("RPUSH", "w:list", "x", "y"), List.of("LPOP", "w:list"),
            List.of("SADD", "w:set", "m1", "m2"), List.of("SREM", "w:set", "m1"), List.of("ZADD", "w:zset", "1.5", "m"),
            List.of("ZREM", "w:zset", "m"), List.of("XADD", "w:stream", "1-1", "f", "v"), List.of("EXPIRE", "w:hash", "100"),
            List.of("PERSIST", "w:hash"), List.of("DEL", "w:str"), List.of("SELECT", "1"), List.of("SET", "w:db1", "v"),
            List.of("SELECT", "0"), List.of("MSET", "w:m1", "a", "w:m2", "b"));

    @Test
    void followsTheWriteAheadLogAcrossAKill9AndARecycledLog() throws Exception {
        RecordedWal wal = new RecordedWal();
        try (RedisServer behind = RedisServer.start(); RedisServer target = RedisServer.start();
             StoreDouble kvrocks = StoreDouble.kvrocks(behind, wal)) {
            for (int i = 0; i < 300; i++) {
                behind.redis().set("before:" + i, "v" + i); // copied by the backfill, never logged
            }
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest(kvrocks, target);
            ChildJvm first = follower(manifest, state);
            await("following", () -> first.output().contains("following kv"), first);
            send(kvrocks, WRITES.subList(0, 8));
            await("caught up", () -> caughtUp(state, wal), first);
            assertEquals(Map.of("b", "2"), target.redis().hgetall("w:hash"));
            assertEquals(Double.valueOf(1.5), target.redis().zscore("w:zset", "m"));
            first.killHard();

            send(kvrocks, WRITES.subList(8, WRITES.size())); // while no follower runs: read from the saved position
            ChildJvm second = follower(manifest, state);
            await("caught up again", () -> caughtUp(state, wal), second);
            assertTrue(!second.output().contains("no longer available"), second.output());
            assertTarget(target);
            second.killHard();

            send(kvrocks, List.of(List.of("SET", "w:str", "v", "PX", "100000")));
            wal.recycle(); // the log that held it is gone: Kvrocks answers from its first batch left, a rescan repairs
            send(kvrocks, List.of(List.of("SADD", "w:set", "m1", "m2")));
            ChildJvm third = follower(manifest, state);
            await("rescanned", () -> third.output().contains("are no longer available")
                    && third.output().contains("following kv"), third);
            await("caught up after the rescan", () -> caughtUp(state, wal), third);
            assertEquals("v", target.redis().get("w:str"));
            assertEquals(java.util.Set.of("m1", "m2"), target.redis().smembers("w:set"));
            third.signal("TERM");
            third.waitFor(60);
            assertTrue(third.output().contains("stopped: source kv: ") && third.output().contains("log records behind"),
                    third.output());
            ChildJvm verify = ChildJvm.start("256m", "verify", "-f", manifest.toString(), "--no-progress");
            assertEquals(0, verify.waitFor(120), verify.output());
        }
    }

    /** A Kvrocks restored from a backup stands behind the saved sequence: Kvrocks says it is out of range. */
    @Test
    void aSourceBehindTheSavedSequenceIsVerifiedWithRepair() throws Exception {
        RecordedWal wal = new RecordedWal();
        try (RedisServer behind = RedisServer.start(); RedisServer target = RedisServer.start();
             StoreDouble kvrocks = StoreDouble.kvrocks(behind, wal)) {
            Path state = Files.createTempDirectory("follow-state");
            Path manifest = manifest(kvrocks, target);
            ChildJvm first = follower(manifest, state);
            await("following", () -> first.output().contains("following kv"), first);
            send(kvrocks, WRITES.subList(0, 3));
            await("caught up", () -> caughtUp(state, wal), first);
            first.killHard();
            wal.restoreBackup(); // its log starts over where the recording's did, before those writes
            behind.redis().hset("w:hash", "c", "3"); // changed after the backup, in no log
            ChildJvm second = follower(manifest, state);
            await("rescanned", () -> second.output().contains("are no longer available")
                    && second.output().contains("following kv"), second);
            await("repaired", () -> second.output().contains("(repaired)"), second);
            assertEquals(Map.of("b", "2", "c", "3"), target.redis().hgetall("w:hash"));
            second.killHard();
        }
    }

    @Test
    void aFlushdbStopsTheFollowSayingWhy() throws Exception {
        RecordedWal wal = new RecordedWal();
        try (RedisServer behind = RedisServer.start(); RedisServer target = RedisServer.start();
             StoreDouble kvrocks = StoreDouble.kvrocks(behind, wal)) {
            behind.redis().set("k", "v");
            Path manifest = manifest(kvrocks, target);
            ChildJvm follower = follower(manifest, Files.createTempDirectory("follow-state"));
            await("following", () -> follower.output().contains("following kv"), follower);
            send(kvrocks, List.of(List.of("FLUSHDB")));
            assertEquals(3, follower.waitFor(60), follower.output());
            assertTrue(follower.output().contains("source kv: a range deletion (FLUSHDB or FLUSHALL) at sequence 3025"
                    + " emptied the source"), follower.output());
            assertEquals("v", target.redis().get("k"), "the target keeps what it has");
        }
    }

    /** The target after every recorded write: what the same writes leave in Redis. */
    private static void assertTarget(RedisServer target) {
        var r = target.redis();
        assertEquals(0L, r.exists("w:str", "w:zset"));
        assertEquals(Map.of("b", "2"), r.hgetall("w:hash"));
        assertEquals(-1L, r.ttl("w:hash"), "PERSIST reached the target");
        assertEquals(List.of("y"), r.lrange("w:list", 0, -1));
        assertEquals(java.util.Set.of("m2"), r.smembers("w:set"));
        assertEquals(1L, r.xlen("w:stream"));
        assertEquals("v", r.get("w:db1"));
        assertEquals("a", r.get("w:m1"));
        assertEquals("b", r.get("w:m2"));
        assertEquals("v299", r.get("before:299"));
    }

    private static void send(StoreDouble store, List<List<String>> commands) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), store.port())) {
            OutputStream out = s.getOutputStream();
            BufferedInputStream in = new BufferedInputStream(s.getInputStream());
            for (List<String> c : commands) {
                Wire.writeCommand(out, c.stream().map(Wire::bytes).toList());
                out.flush();
                Object reply = Wire.readReply(in);
                assertTrue(!(reply instanceof Wire.Err), c + " answered " + reply);
            }
        }
    }

    private static boolean caughtUp(Path state, RecordedWal wal) {
        List<Position> saved = new PositionFile(state).load(List.of("kv"));
        return saved != null && saved.get(0).inWal() && saved.get(0).offset() >= wal.latest();
    }

    private static Path manifest(StoreDouble source, RedisServer target) throws Exception {
        Path f = Files.createTempFile("follow-kvrocks-", ".yaml");
        Files.writeString(f, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: kvfollow}\nspec:\n"
                + "  sources:\n    - {name: kv, endpoint: {uri: \"" + source.uri() + "\"}}\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n  policies: {default: Overwrite}\n");
        return f;
    }
}
