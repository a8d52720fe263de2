package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataType;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Strings are not sized before they are read: the whole read is a bounded GETRANGE, and the batch settles
 * what that cannot tell apart (a big string, an empty string, a key gone since it was decided).
 */
class StringReadTest {

    @Test
    void aBoundedReadSettlesBigEmptyAndVanishedStringsBeforeTheBatchIsJournaled() {
        try (CopyFixture c = new CopyFixture()) {
            RedisServer source = c.source;
            RedisServer target = c.target;
            BatchCopier copier = c.copier;
            String big = "x".repeat(BatchCopier.SMALL_STRING_BYTES + 1);
            source.redis().set("big", big);
            source.redis().set("empty", "");
            source.redis().set("small", "v");
            source.redis().set("vanishing", "soon gone");
            source.redis().set("emptied", "");
            source.redis().hset("hash", "f", "v");

            BatchCopier.Decided decided = copier.decide(pairs("big", "empty", "small", "vanishing", "emptied", "hash"));
            for (Decision d : decided.decisions()) {
                assertFalse(d.type() == DataType.STRING && (d.dump() || d.chunked()), "a string is decided unsized: " + d);
            }
            assertTrue(decided.decisions().get(5).dump(), "a small hash still travels as DUMP/RESTORE");
            source.redis().del("vanishing");
            source.redis().del("emptied");

            BatchCopier.Prepared read = copier.read(decided, false);

            Decision bigNow = read.decisions().get(0);
            assertTrue(bigNow.chunked(), "the overflowing read made it a big string, as journaled: " + bigNow);
            assertEquals(big.length(), bigNow.sourceSize());
            assertEquals(List.of(bigNow), read.chunked());
            Counters written = copier.write(read, new ArrayList<>());

            assertEquals(big, target.redis().get("big"));
            assertEquals("", target.redis().get("empty"));
            assertEquals("v", target.redis().get("small"));
            assertEquals("v", target.redis().hget("hash", "f"));
            assertEquals(0, target.redis().exists("vanishing", "emptied"), "a key gone since TYPE is not created empty");
            assertEquals(4, written.keysWritten());
        }
    }

    @Test
    void emptyAndBigStringsAreSettledWhateverTheirOrderInTheBatch() {
        try (CopyFixture c = new CopyFixture()) {
            String big = "y".repeat(BatchCopier.SMALL_STRING_BYTES + 10);
            c.source.redis().set("vanishing", "soon gone");
            c.source.redis().set("empty", "");
            c.source.redis().set("big", big);
            BatchCopier.Decided decided = c.copier.decide(pairs("vanishing", "empty", "big"));
            c.source.redis().del("vanishing");

            c.copier.write(c.copier.read(decided, false), new ArrayList<>());

            assertEquals(0, c.target.redis().exists("vanishing"));
            assertEquals("", c.target.redis().get("empty"));
            assertEquals(big, c.target.redis().get("big"));
        }
    }

    @Test
    void aStringKeepsItsExpiry() {
        try (CopyFixture c = new CopyFixture()) {
            c.source.redis().psetex("ttl", 600_000, "v");
            c.copier.execute(c.copier.decide(pairs("ttl")).decisions(), false, new ArrayList<>());

            long ttl = c.target.redis().pttl("ttl");
            assertTrue(ttl > 590_000 && ttl <= 600_000, "expiry kept: " + ttl);
            assertEquals("v", c.target.redis().get("ttl"));
        }
    }

    @Test
    void aStringWhoseNameTellsItsTypeIsReadWhileDecidedWithoutTypeAndOthersAreSettledByTheRead() {
        try (CopyFixture c = new CopyFixture()) {
            String mid = "m".repeat(BatchDecider.EARLY_STRING_BYTES + 1);
            c.source.redis().set("s:first", "teaches the prefix");
            c.copier.execute(c.copier.decide(pairs("s:first")).decisions(), false, new ArrayList<>());
            c.source.redis().psetex("s:small", 600_000, "v");
            c.source.redis().set("s:mid", mid);
            c.source.redis().set("s:empty", "");
            c.source.redis().hset("s:hash", "f", "v");
            c.source.redis().configResetstat();

            BatchCopier.Decided decided = c.copier.decide(pairs("s:small", "s:mid", "s:empty", "s:hash", "s:gone"));

            List<String> early = decided.values().stream().map(v -> v == null ? null : new String(v, StandardCharsets.UTF_8)).toList();
            assertEquals(Arrays.asList("v", null, null, null, null), early,
                    "read while decided: a small string; not: one over the early bound, an empty one, a wrong guess, a missing key");
            c.copier.write(c.copier.read(decided, false), new ArrayList<>());

            assertEquals("v", c.target.redis().get("s:small"));
            long ttl = c.target.redis().pttl("s:small");
            assertTrue(ttl > 590_000 && ttl <= 600_000, "expiry kept: " + ttl);
            assertEquals(mid, c.target.redis().get("s:mid"));
            assertEquals("", c.target.redis().get("s:empty"));
            assertEquals("v", c.target.redis().hget("s:hash", "f"));
            assertEquals(0, c.target.redis().exists("s:gone"));
            String stats = c.source.redis().info("commandstats");
            assertTrue(stats.contains("cmdstat_type:calls=1,"), "TYPE only for the wrong guess: " + stats);
        }
    }

    /** Big strings stream into a standalone target over the writer's own connection: no connection a string. */
    @Test
    void bigStringsStreamOverTheWritersConnectionNotOneOfTheirOwnEach() {
        try (CopyFixture c = new CopyFixture()) {
            String big = "b".repeat(BatchCopier.SMALL_STRING_BYTES + 100);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                c.source.redis().set("big:" + i, big + i);
                keys.add("big:" + i);
            }
            c.source.redis().set("small", "v");
            keys.add("small");
            long before = connections(c);

            Counters written = c.copier.execute(c.copier.decide(pairs(keys.toArray(String[]::new))).decisions(), false,
                    new ArrayList<>());

            assertEquals(13, written.keysWritten());
            for (int i = 0; i < 12; i++) {
                assertEquals(big + i, c.target.redis().get("big:" + i));
            }
            assertEquals(before, connections(c), "connections the target accepted during the copy");
        }
    }

    private static long connections(CopyFixture c) {
        String stats = c.target.redis().info("stats");
        int at = stats.indexOf("total_connections_received:") + "total_connections_received:".length();
        return Long.parseLong(stats.substring(at, stats.indexOf('\r', at)).trim());
    }

    @Test
    void stringsWithoutAnExpiryGoAsOneMsetAndOneWithAnExpiryAsOneSetWithIt() {
        try (CopyFixture c = new CopyFixture()) {
            for (int i = 0; i < 100; i++) {
                c.source.redis().set("plain:" + i, "v" + i);
            }
            c.source.redis().psetex("expiring", 600_000, "e");
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                keys.add("plain:" + i);
            }
            keys.add("expiring");
            c.target.redis().configResetstat();

            c.copier.execute(c.copier.decide(pairs(keys.toArray(new String[0]))).decisions(), false, new ArrayList<>());

            for (int i = 0; i < 100; i++) {
                assertEquals("v" + i, c.target.redis().get("plain:" + i));
                assertEquals(-1, c.target.redis().pttl("plain:" + i));
            }
            long ttl = c.target.redis().pttl("expiring");
            assertTrue(ttl > 590_000 && ttl <= 600_000, "expiry kept: " + ttl);
            String stats = c.target.redis().info("commandstats");
            assertTrue(stats.contains("cmdstat_mset:calls=2,") && stats.contains("cmdstat_set:calls=1,")
                    && !stats.contains("cmdstat_pexpire"), "64 keys an MSET, the expiring one SET with PX: " + stats);
        }
    }

    @Test
    void aRefusedMsetNamesItsFirstKeyAndHowManyItWrites() {
        try (CopyFixture c = new CopyFixture(List.of("--rename-command", "MSET", ""))) {
            c.source.redis().set("a", "1");
            c.source.redis().set("b", "2");

            CopyFailedException e = assertThrows(CopyFailedException.class,
                    () -> c.copier.execute(c.copier.decide(pairs("a", "b")).decisions(), false, new ArrayList<>()));

            assertTrue(e.getMessage().contains("refused a write to key a (an MSET of 2 keys from it on): ERR unknown command"),
                    e.getMessage());
        }
    }

    @Test
    void inAGuardedBatchARefusedMultiOrWriteIsNamedAndNothingRunsUnguarded() {
        try (CopyFixture c = new CopyFixture(List.of("--rename-command", "MSET", ""))) {
            c.source.redis().set("a", "1");
            c.source.redis().set("b", "2");
            GuardedCopy guarded = new GuardedCopy(c.copier);
            for (int batch = 0; batch < 2; batch++) { // the first transaction asks for MULTI alone, later ones pipeline it
                CopyFailedException e = assertThrows(CopyFailedException.class,
                        () -> guarded.copy(pairs("a", "b"), d -> { }, new ArrayList<>()));
                assertTrue(e.getMessage().contains("refused a write to key a (an MSET of 2 keys from it on): ERR unknown command"),
                        "batch " + batch + ": " + e.getMessage());
            }
        }
        try (CopyFixture c = new CopyFixture(List.of("--rename-command", "MULTI", ""))) {
            c.source.redis().set("a", "1");
            CopyFailedException e = assertThrows(CopyFailedException.class,
                    () -> new GuardedCopy(c.copier).copy(pairs("a"), d -> { }, new ArrayList<>()));
            assertTrue(e.getMessage().contains("refused MULTI") && e.getMessage().contains("nothing of the batch was written"),
                    e.getMessage());
            assertEquals(0, c.target.redis().exists("a"), "the write queued after a refused MULTI would have run unguarded");
        }
    }

    static List<BatchCopier.KeyPair> pairs(String... keys) {
        List<BatchCopier.KeyPair> pairs = new ArrayList<>();
        for (String k : keys) {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            pairs.add(new BatchCopier.KeyPair(b, b));
        }
        return pairs;
    }
}
