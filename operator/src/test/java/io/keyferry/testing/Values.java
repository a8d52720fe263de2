package io.keyferry.testing;

import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A key's whole value as canonical text, so a test can assert it in one comparison. */
public final class Values {
    private Values() {}

    /** Every key of the server with its value as {@link #of} gives it, sorted by key. */
    public static Map<String, String> snapshot(RedisCommands<String, String> r) {
        Map<String, String> m = new TreeMap<>();
        for (String k : r.keys("*")) {
            m.put(k, of(r, k));
        }
        return m;
    }

    public static String of(RedisCommands<String, String> r, String key) {
        String type = r.type(key);
        return switch (type) {
            case "none" -> "none";
            case "string" -> "string:" + r.get(key);
            case "hash" -> "hash:" + new TreeMap<>(r.hgetall(key));
            case "list" -> "list:" + r.lrange(key, 0, -1);
            case "set" -> "set:" + new TreeSet<>(r.smembers(key));
            case "zset" -> "zset:" + r.zrangeWithScores(key, 0, -1).stream()
                    .map(v -> v.getValue() + "=" + fmt(v)).collect(Collectors.joining(",", "[", "]"));
            case "stream" -> "stream:" + stream(r, key);
            default -> type;
        };
    }

    private static String fmt(ScoredValue<String> v) {
        double s = v.getScore();
        return s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s);
    }

    @SuppressWarnings("unchecked")
    private static String stream(RedisCommands<String, String> r, String key) {
        List<StreamMessage<String, String>> entries = r.xrange(key, Range.create("-", "+"));
        String body = entries.stream().map(m -> m.getId() + new TreeMap<>(m.getBody()))
                .collect(Collectors.joining(",", "[", "]"));
        List<Object> groups = r.xinfoGroups(key);
        String g = groups.stream().map(o -> {
            List<Object> flat = (List<Object>) o;
            Map<String, Object> m = new TreeMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                m.put(String.valueOf(flat.get(i)), flat.get(i + 1));
            }
            return m.get("name") + "@" + m.get("last-delivered-id");
        }).collect(Collectors.joining(",", "[", "]"));
        return body + " groups:" + g;
    }
}
