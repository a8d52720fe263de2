package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.StreamIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small stream read whole in a batch's pipeline (the type-native copy, where no DUMP payload can carry it): its
 * entries as XRANGE gives them, [id, [field, value, ...]], the last ID it generated (XINFO STREAM), which may lie past
 * its last entry, and its consumer groups with their last-delivered IDs (XINFO GROUPS), none where they are not copied.
 *
 * @param groups name and last-delivered ID of each group, in XINFO's order
 */
record WholeStream(List<Object> entries, byte[] lastId, List<byte[][]> groups) {
    private static final byte[] LAST_GENERATED = Resp.ascii("last-generated-id");
    private static final byte[] NAME = Resp.ascii("name");
    private static final byte[] LAST_DELIVERED = Resp.ascii("last-delivered-id");

    /**
     * The stream from the replies at {@code at} (XRANGE), {@code at + 1} (XINFO STREAM) and, with {@code groups},
     * {@code at + 2} (XINFO GROUPS): null where the key is gone, an error reply or a stand-in ({@link BatchMemory#NO_ROOM})
     * as it came where one part has one.
     *
     * @throws IllegalArgumentException where a reply is not what its command gives
     */
    static Object of(List<Object> replies, int at, boolean groups) {
        Object range = replies.get(at);
        Object info = replies.get(at + 1);
        Object groupList = groups ? replies.get(at + 2) : List.of();
        for (Object part : new Object[] {range, info, groupList}) {
            if (part == BatchMemory.NO_ROOM || part == Resp.OVER_BUDGET) {
                return part;
            }
        }
        if (range instanceof Resp.Error) {
            return range;
        }
        if (range instanceof List<?> entries && entries.isEmpty() && info instanceof Resp.Error e && e.noSuchKey()) {
            return null; // removed between its size and this read: XRANGE of a missing key is empty, XINFO an error
        }
        if (info instanceof Resp.Error) {
            return info;
        }
        if (groupList instanceof Resp.Error) {
            return groupList;
        }
        if (!(range instanceof List<?> entries) || !entries.stream().allMatch(WholeStream::entry)) {
            throw new IllegalArgumentException("XRANGE answered " + Resp.describe(range));
        }
        byte[] lastId = field(info, LAST_GENERATED);
        if (lastId == null) {
            throw new IllegalArgumentException("XINFO STREAM answered " + Resp.describe(info) + ", without last-generated-id");
        }
        return new WholeStream(new ArrayList<>(entries), lastId, groups((List<?>) groupList));
    }

    /** The last entry's ID, 0-0 without entries. */
    String lastEntryId() {
        return entries.isEmpty() ? "0-0" : ascii((byte[]) ((List<?>) entries.get(entries.size() - 1)).get(0));
    }

    /** Whether the stream generated IDs past its last entry (entries removed from its end, or XSETID). */
    boolean idPastEntries() {
        return StreamIds.compare(ascii(lastId), lastEntryId()) > 0;
    }

    static String ascii(byte[] id) {
        return new String(id, StandardCharsets.US_ASCII);
    }

    private static boolean entry(Object item) {
        return item instanceof List<?> e && e.size() == 2 && e.get(0) instanceof byte[]
                && e.get(1) instanceof List<?> body && !body.isEmpty() && body.size() % 2 == 0
                && body.stream().allMatch(b -> b instanceof byte[]);
    }

    private static List<byte[][]> groups(List<?> reply) {
        List<byte[][]> groups = new ArrayList<>(reply.size());
        for (Object g : reply) {
            byte[] name = field(g, NAME);
            byte[] delivered = field(g, LAST_DELIVERED);
            if (name == null || delivered == null) {
                throw new IllegalArgumentException("XINFO GROUPS answered " + Resp.describe(g) + " for a group");
            }
            groups.add(new byte[][] {name, delivered});
        }
        return groups;
    }

    /** A field of an XINFO reply, a flat [name, value, ...] list: its value as text, or null. */
    private static byte[] field(Object reply, byte[] name) {
        if (reply instanceof List<?> flat) {
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                if (flat.get(i) instanceof byte[] n && Arrays.equals(n, name) && flat.get(i + 1) instanceof byte[] v) {
                    return v;
                }
            }
        }
        return null;
    }
}
