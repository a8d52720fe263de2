package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys each replicated command changes, in the followed database, and what cannot be followed key by key. */
class ChangedKeysTest {

    @Test
    void writeCommandsNameTheKeysTheyChange() {
        assertKeys(List.of("a"), "SET", "a", "1");
        assertKeys(List.of("a", "b"), "DEL", "a", "b");
        assertKeys(List.of("a", "b"), "MSET", "a", "1", "b", "2");
        assertKeys(List.of("a", "b"), "RENAME", "a", "b");
        assertKeys(List.of("src", "dst"), "LMOVE", "src", "dst", "LEFT", "RIGHT");
        assertKeys(List.of("dst"), "BITOP", "AND", "dst", "x", "y");
        assertKeys(List.of("s"), "XGROUP", "CREATE", "s", "g", "$");
        assertKeys(List.of("out"), "SORT", "in", "LIMIT", "0", "5", "STORE", "out");
        assertKeys(List.of("h"), "HSET", "h", "f", "v");
        assertKeys(List.of("k"), "PEXPIREAT", "k", "1700000000000");
        assertKeys(List.of("l"), "LPOP", "l");
    }

    @Test
    void pushesCarryTheirElementsAndOtherDatabasesAreIgnored() {
        ChangedKeys.Push push = assertInstanceOf(ChangedKeys.Push.class, ChangedKeys.of(change(0, "RPUSH", "l", "x", "y"), 0));
        assertEquals("l", text(push.key()));
        assertEquals(List.of("x", "y"), push.elements().stream().map(ChangedKeysTest::text).toList());
        assertTrue(!push.left());
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(3, "SET", "a", "1"), 0));
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(0, "PING"), 0));
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(0, "MULTI"), 0));
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(0, "PUBLISH", "ch", "m"), 0));
    }

    @Test
    void aKeyMovedIntoOrOutOfTheFollowedDatabaseChangesIt() {
        assertKeys(List.of("a"), "MOVE", "a", "5");
        assertEquals(List.of("a"), keys(ChangedKeys.of(change(5, "MOVE", "a", "0"), 0)), "moved in from db 5");
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(5, "MOVE", "a", "7"), 0));
    }

    @Test
    void whatCannotBeFollowedKeyByKeyIsSaid() {
        assertTrue(((ChangedKeys.Unmirrorable) ChangedKeys.of(change(0, "FLUSHALL"), 0)).why().startsWith("FLUSHALL at offset 42"));
        assertInstanceOf(ChangedKeys.Unmirrorable.class, ChangedKeys.of(change(0, "FLUSHDB"), 0));
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(2, "FLUSHDB"), 0), "another database");
        assertInstanceOf(ChangedKeys.Unmirrorable.class, ChangedKeys.of(change(0, "SWAPDB", "0", "1"), 0));
        assertInstanceOf(ChangedKeys.Nothing.class, ChangedKeys.of(change(0, "SWAPDB", "2", "3"), 0));
        assertInstanceOf(ChangedKeys.Unmirrorable.class, ChangedKeys.of(change(0, "EVAL", "return 1", "0"), 0));
    }

    private static void assertKeys(List<String> expected, String... command) {
        assertEquals(expected, keys(ChangedKeys.of(change(0, command), 0)), String.join(" ", command));
    }

    private static List<String> keys(ChangedKeys.Effect e) {
        return ((ChangedKeys.Keys) e).keys().stream().map(ChangedKeysTest::text).toList();
    }

    private static Change change(int db, String... args) {
        return new Change(42, db, Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
