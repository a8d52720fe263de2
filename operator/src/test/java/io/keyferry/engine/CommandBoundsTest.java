package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.RecordingDialect;
import io.keyferry.testing.peers.RecordingDialect.Sent;
import io.keyferry.testing.peers.StoreDouble;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What keeps a big key from blocking a server, stated in the commands themselves: every command KeyFerry sends
 * about a big key, to the source or the target, while copying it over an existing one and verifying it, is
 * either constant-time, or asks for at most {@link #READ} elements (or {@link #BYTES} bytes of a string), or
 * carries at most {@link #PAGE} (a write, or a check of what one page returned).
 * Each command is recorded by a {@link StoreDouble} in front of each server; no time is measured (the
 * slowest command each server logged is measured by bench/pacing.sh).
 */
class CommandBoundsTest {
    /** A read asks for a chunk of 500, or 4,097 to learn whether a key is small (4,096 elements at most). */
    private static final int READ = 4097;
    /**
     * A write carries what one read returned: a SCAN page, whose COUNT is a hint the server may exceed by a few
     * (a hash bucket's chain comes whole); 504 were seen.
     */
    private static final int PAGE = 2 * 512;
    private static final long BYTES = 1 << 20;
    private static final int BIG = 20_000;
    /** Constant time whatever the key's size (UNLINK frees a big value on another thread). */
    private static final Set<String> CONSTANT = Set.of("TYPE", "PTTL", "EXISTS", "HLEN", "SCARD", "ZCARD", "LLEN",
            "XLEN", "STRLEN", "PEXPIRE", "EXPIRE", "PERSIST", "UNLINK", "WATCH");

    @Test
    void everyCommandAboutABigKeyTouchesABoundedNumberOfElements() throws Exception {
        RecordingDialect sourceLog = new RecordingDialect();
        RecordingDialect targetLog = new RecordingDialect();
        try (RedisServer sourceServer = RedisServer.start(); RedisServer targetServer = RedisServer.start();
             StoreDouble source = StoreDouble.of(sourceLog, sourceServer);
             StoreDouble target = StoreDouble.of(targetLog, targetServer)) {
            load(sourceServer.redis(), "s");
            load(targetServer.redis(), "t"); // Overwrite replaces every one of them
            DataMigrationSpec spec = Copies.spec("big", source.uri(), target.uri(), Policy.OVERWRITE);

            Copies.run(spec);
            VerifyResult verified = Copies.verify(spec, false);

            assertEquals(6, verified.keysChecked());
            assertEquals(0, verified.mismatches(), verified.toString());
            List<String> over = new ArrayList<>();
            Map<String, Long> most = new HashMap<>();
            for (Sent s : concat(sourceLog.sent(), targetLog.sent())) {
                if (s.key().startsWith("big:")) {
                    long touched = touched(s);
                    most.merge(s.name(), touched, Math::max);
                    if (touched < 0 || touched > bound(s.name())) {
                        over.add(s.name() + " " + s.key() + " " + s.args().subList(0, Math.min(4, s.argc()))
                                + " (" + s.argc() + " arguments) touches " + touched);
                    }
                }
            }
            assertTrue(over.isEmpty(), "commands over the bound: " + over.subList(0, Math.min(20, over.size())));
            assertTrue(most.keySet().containsAll(Set.of("HSCAN", "SSCAN", "ZSCAN", "LRANGE", "GETRANGE", "XRANGE",
                    "HSET", "SADD", "ZADD", "RPUSH", "XADD", "SET", "UNLINK")), "commands seen: " + most);
        }
    }

    /**
     * Collections of up to 4,096 elements are copied with the batch, read whole and written in commands of at most 500
     * elements (the type-native path: no DUMP), never one round trip per chunk; 4,097 go in chunks.
     */
    @Test
    void collectionsOfAFewThousandElementsAreCopiedWholeInWritesOfAtMost500() throws Exception {
        RecordingDialect sourceLog = new RecordingDialect();
        RecordingDialect targetLog = new RecordingDialect();
        try (RedisServer sourceServer = RedisServer.withoutDumpRestore(); RedisServer targetServer = RedisServer.withoutDumpRestore();
             StoreDouble source = StoreDouble.of(sourceLog, sourceServer);
             StoreDouble target = StoreDouble.of(targetLog, targetServer)) {
            RedisCommands<String, String> r = sourceServer.redis();
            for (int n : new int[] {600, 4096, 4097}) {
                for (int i = 0; i < n; i++) {
                    r.hset("hash:" + n, "f" + i, "v" + i);
                    r.sadd("set:" + n, "m" + i);
                    r.zadd("zset:" + n, i % 977, "m" + i);
                    r.rpush("list:" + n, "e" + i);
                }
            }
            DataMigrationSpec spec = Copies.spec("mid", source.uri(), target.uri(), Policy.OVERWRITE);

            Copies.run(spec);

            for (String key : r.keys("*")) {
                assertEquals(io.keyferry.testing.Values.of(r, key), io.keyferry.testing.Values.of(targetServer.redis(), key), key);
            }
            Set<String> scanned = new java.util.TreeSet<>();
            for (Sent s : sourceLog.sent()) {
                if (Set.of("HSCAN", "SSCAN", "ZSCAN").contains(s.name())
                        || (s.name().equals("LRANGE") && s.number(1) != -1)) {
                    scanned.add(s.key());
                }
            }
            assertEquals(Set.of("hash:4097", "list:4097", "set:4097", "zset:4097"), scanned, "read in chunks");
            for (Sent s : targetLog.sent()) { // the key, then members, or fields and values, or scores and members
                int elements = Set.of("SADD", "RPUSH").contains(s.name()) ? s.argc() - 1 : (s.argc() - 1) / 2;
                if (Set.of("HSET", "HMSET", "SADD", "ZADD", "RPUSH").contains(s.name()) && !s.key().endsWith(":4097")) {
                    assertTrue(elements <= 500, s.name() + " " + s.key() + " of " + elements + " elements");
                }
            }
        }
    }

    private static long bound(String command) {
        return switch (command) {
            case "GETRANGE" -> BYTES;
            case "HSET", "HMSET", "ZADD", "SADD", "RPUSH", "HMGET", "SMISMEMBER", "ZMSCORE" -> PAGE;
            default -> READ;
        };
    }

    /**
     * The most elements (bytes for GETRANGE) a command can touch, from its arguments; 0 for constant time; -1 for
     * a command that reads or writes a whole key at once.
     */
    private static long touched(Sent s) {
        if (CONSTANT.contains(s.name())) {
            return 0;
        }
        return switch (s.name()) {
            case "HSCAN", "SSCAN", "ZSCAN" -> s.args().get(1).equalsIgnoreCase("COUNT") ? s.number(2) : -1;
            case "LRANGE", "GETRANGE" -> s.number(1) - s.number(0) + 1;
            case "XRANGE" -> s.argc() == 4 && s.args().get(2).equalsIgnoreCase("COUNT") ? s.number(3) : -1;
            case "HSET", "HMSET", "ZADD" -> s.argc() / 2;
            case "SADD", "RPUSH", "HMGET", "SMISMEMBER", "ZMSCORE" -> s.argc();
            case "XADD" -> 1;
            // A streamed SET: the server reads the value into its query buffer as it arrives; the SET is O(1).
            case "SET" -> s.argc() == 1 ? 1 : -1;
            default -> -1;
        };
    }

    /** A hash, set, sorted set and list of {@link #BIG} elements, a stream of 5,000 entries and an 8 MiB string. */
    private static void load(RedisCommands<String, String> r, String tag) {
        for (int i = 0; i < BIG; i += 1000) {
            Map<String, String> fields = new HashMap<>();
            String[] members = new String[1000];
            Object[] scored = new Object[2000];
            for (int j = 0; j < 1000; j++) {
                fields.put("f" + (i + j), tag + (i + j));
                members[j] = tag + (i + j);
                scored[2 * j] = (double) (i + j);
                scored[2 * j + 1] = tag + (i + j);
            }
            r.hset("big:hash", fields);
            r.sadd("big:set", members);
            r.zadd("big:zset", scored);
            r.rpush("big:list", members);
        }
        for (int i = 0; i < 5000; i++) { // past the 4,096 entries copied whole
            r.xadd("big:stream", Map.of("n", tag + i));
        }
        String mib = tag.repeat(1 << 20);
        for (int i = 0; i < 8; i++) {
            r.append("big:string", mib);
        }
    }

    private static List<Sent> concat(List<Sent> a, List<Sent> b) {
        List<Sent> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
