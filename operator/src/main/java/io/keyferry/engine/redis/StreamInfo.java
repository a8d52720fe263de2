package io.keyferry.engine.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What XINFO tells of a stream: its last generated ID and its consumer groups. */
public final class StreamInfo {
    public static final String ZERO_ID = "0-0";

    private StreamInfo() {}

    /** The stream's last generated ID, or 0-0 where there is no stream. */
    public static String lastGeneratedId(RedisLink link, byte[] key) {
        if (link.call(link.async().exists(key)) == 0) {
            return ZERO_ID;
        }
        Object id = Resp.shaped(link.label(), key, () -> asMap(link.call(link.async().xinfoStream(key)))).get("last-generated-id");
        return id == null ? ZERO_ID : id.toString();
    }

    /**
     * Consumer group name to last-delivered ID, in XINFO's order; none, without asking, where the store has no
     * consumer groups ({@code kept} false: Pika 4.0 never answers XINFO GROUPS).
     */
    public static Map<String, String> groups(RedisLink link, boolean kept, byte[] key) {
        if (!kept) {
            return new LinkedHashMap<>();
        }
        return Resp.shaped(link.label(), key, () -> groupsOf(link.call(link.async().xinfoGroups(key))));
    }

    /**
     * The groups in a reply of XINFO GROUPS sent on a {@link Pipe} (with the stream's other reads, in one round trip):
     * none where the key is gone ("no such key"); any other error throws ({@link Resp.ReplyError}, with the server's
     * message: a user without the command is named).
     */
    public static Map<String, String> groups(Object reply, String label, byte[] key) {
        if (reply instanceof Resp.Error e && e.noSuchKey()) {
            return new LinkedHashMap<>();
        }
        return Resp.shaped(label, key, () -> groupsOf(Resp.array(reply, label, key)));
    }

    private static Map<String, String> groupsOf(List<?> reply) {
        Map<String, String> groups = new LinkedHashMap<>();
        for (Object g : reply) {
            Map<String, Object> group = asMap(g);
            groups.put(String.valueOf(group.get("name")), String.valueOf(group.get("last-delivered-id")));
        }
        return groups;
    }

    /** The entries of an XRANGE reply as a {@link Pipe} returns it: [[id, [field, value, ...]], ...]. */
    public static List<io.lettuce.core.StreamMessage<byte[], byte[]>> entries(byte[] key, List<Object> xrange) {
        List<io.lettuce.core.StreamMessage<byte[], byte[]>> out = new java.util.ArrayList<>(xrange.size());
        for (Object e : xrange) {
            List<?> entry = (List<?>) e;
            List<?> flat = (List<?>) entry.get(1);
            Map<byte[], byte[]> body = new LinkedHashMap<>();
            for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
                body.put((byte[]) flat.get(i), (byte[]) flat.get(i + 1));
            }
            out.add(new io.lettuce.core.StreamMessage<>(key, new String((byte[]) entry.get(0), StandardCharsets.US_ASCII), body));
        }
        return out;
    }

    /** XINFO replies are flat [name, value, ...] lists; names and string values arrive as bytes. */
    private static Map<String, Object> asMap(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            Object v = flat.get(i + 1);
            m.put(text(flat.get(i)), v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v);
        }
        return m;
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
