package io.keyferry.engine.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a replicated command did to the followed database: the keys it wrote (to be copied again under the policies),
 * the elements it pushed onto a list (applied as they were pushed, for lists under Merge), or something a follower
 * cannot mirror key by key (FLUSHALL, FLUSHDB, SWAPDB of the followed database, a script replicated verbatim).
 * Redis 7 replicates effects (expiries as DEL, scripts as their writes, blocking pops as pops), so most commands name
 * their keys plainly.
 */
final class ChangedKeys {
    /** What one command did. */
    sealed interface Effect permits Keys, Push, Unmirrorable, Nothing {}

    /** Keys written or deleted: each is copied again from every source that has it, in list order. */
    record Keys(List<byte[]> keys) implements Effect {}

    /** Elements pushed onto a list, in the order the command pushes them ({@code left}: LPUSH/LPUSHX). */
    record Push(byte[] key, boolean left, List<byte[]> elements, boolean onlyIfExists) implements Effect {}

    /** A command that changes what cannot be followed key by key: the follow stops and says why. */
    record Unmirrorable(String why) implements Effect {}

    record Nothing() implements Effect {}

    private static final Nothing NOTHING = new Nothing();
    private static final Set<String> IGNORED = Set.of("PING", "REPLCONF", "SELECT", "MULTI", "EXEC", "PUBLISH", "SPUBLISH",
            "SCRIPT", "FUNCTION", "DISCARD");
    private static final Set<String> ALL_KEYS = Set.of("DEL", "UNLINK");
    private static final Set<String> KEY_VALUE_PAIRS = Set.of("MSET", "MSETNX");
    private static final Set<String> FIRST_TWO = Set.of("RENAME", "RENAMENX", "SMOVE", "LMOVE", "RPOPLPUSH", "BLMOVE",
            "BRPOPLPUSH", "COPY");
    private static final Set<String> SCRIPTS = Set.of("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO");

    private ChangedKeys() {}

    /** @param db the database followed (the source URI's) */
    static Effect of(Change c, int db) {
        String name = c.name();
        byte[][] a = c.args();
        if (name.equals("FLUSHALL") || name.equals("FLUSHDB") && c.db() == db) {
            return new Unmirrorable(name + " at offset " + c.offset() + " emptied the source");
        }
        if (name.equals("SWAPDB") && a.length == 3) {
            return db == Integer.parseInt(c.arg(1)) || db == Integer.parseInt(c.arg(2)) ? new Unmirrorable("SWAPDB " + c.arg(1)
                    + " " + c.arg(2) + " at offset " + c.offset() + " replaced the followed database") : NOTHING;
        }
        if (name.equals("MOVE") && a.length == 3) { // the key leaves its database, or arrives in the followed one
            boolean arrives = c.db() != db && Integer.toString(db).equals(c.arg(2));
            return c.db() == db || arrives ? new Keys(List.of(a[1])) : NOTHING;
        }
        if (c.db() != db || IGNORED.contains(name) || a.length < 2) {
            return NOTHING;
        }
        if (SCRIPTS.contains(name)) {
            return new Unmirrorable(name + " at offset " + c.offset() + " was replicated as the script itself, not its"
                    + " writes (a source older than Redis 5, or lua-replicate-commands off)");
        }
        if ((name.equals("RPUSH") || name.equals("LPUSH") || name.equals("RPUSHX") || name.equals("LPUSHX")) && a.length > 2
                && noneNull(a, 2)) {
            List<byte[]> elements = new ArrayList<>(List.of(a).subList(2, a.length));
            return new Push(a[1], name.startsWith("L"), elements, name.endsWith("X"));
        }
        return new Keys(keys(name, a));
    }

    private static List<byte[]> keys(String name, byte[][] a) {
        List<byte[]> keys = new ArrayList<>();
        if (ALL_KEYS.contains(name)) {
            keys.addAll(List.of(a).subList(1, a.length));
        } else if (KEY_VALUE_PAIRS.contains(name)) {
            for (int i = 1; i < a.length; i += 2) {
                keys.add(a[i]);
            }
        } else if (FIRST_TWO.contains(name) && a.length > 2) {
            keys.add(a[1]);
            keys.add(a[2]);
        } else if (name.equals("BITOP") && a.length > 2) {
            keys.add(a[2]);
        } else if (name.equals("XGROUP") && a.length > 2) {
            keys.add(a[2]);
        } else if ((name.equals("SORT") || name.startsWith("GEORADIUS")) && storeIndex(a) > 0) {
            keys.add(a[storeIndex(a) + 1]);
            if (name.equals("SORT")) {
                return keys; // SORT src ... STORE dst writes dst only
            }
        } else {
            keys.add(a[1]); // the key comes first in every other write command (SET, HSET, EXPIRE, XADD, ...)
        }
        keys.removeIf(java.util.Objects::isNull);
        return keys;
    }

    private static int storeIndex(byte[][] a) {
        for (int i = 2; i < a.length - 1; i++) {
            String s = a[i] == null ? "" : new String(a[i], java.nio.charset.StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            if (s.equals("STORE") || s.equals("STOREDIST")) {
                return i;
            }
        }
        return -1;
    }

    private static boolean noneNull(byte[][] a, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == null) {
                return false;
            }
        }
        return true;
    }
}
