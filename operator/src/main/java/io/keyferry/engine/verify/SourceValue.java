package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.engine.redis.Resp;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small key's whole value in a form that compares by content (byte arrays do not): strings as a
 * ByteBuffer, hashes as a map, sets as a set, sorted sets as member to printed score, lists as a list,
 * streams as their entries and consumer groups.
 */
record SourceValue(DataType type, long expireAt, Object value) {

    record StreamValue(List<StreamMessage<byte[], byte[]>> entries, Map<String, String> groups) {}

    /**
     * @param reply as a {@link io.keyferry.engine.redis.Pipe} returns it: a string's bytes, a collection's
     *              flat elements (fields and values, members and scores, alternating), a stream's entries
     */
    @SuppressWarnings("unchecked")
    static Object canonical(DataType type, Object reply) {
        return switch (type) {
            case STRING -> ByteBuffer.wrap((byte[]) reply);
            case HASH -> {
                List<Object> flat = (List<Object>) reply;
                Map<ByteBuffer, ByteBuffer> m = new LinkedHashMap<>(capacity(flat.size() / 2));
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    m.put(ByteBuffer.wrap((byte[]) flat.get(i)), ByteBuffer.wrap((byte[]) flat.get(i + 1)));
                }
                yield m;
            }
            case SET -> {
                List<Object> flat = (List<Object>) reply;
                Set<ByteBuffer> s = new LinkedHashSet<>(capacity(flat.size()));
                for (Object b : flat) {
                    s.add(ByteBuffer.wrap((byte[]) b));
                }
                yield s;
            }
            case ZSET -> {
                // Scores stay as printed: compared as text first, parsed only where the texts differ.
                List<Object> flat = (List<Object>) reply;
                Map<ByteBuffer, byte[]> m = new LinkedHashMap<>(capacity(flat.size() / 2));
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    m.put(ByteBuffer.wrap((byte[]) flat.get(i)), (byte[]) flat.get(i + 1));
                }
                yield m;
            }
            case LIST -> {
                List<Object> flat = (List<Object>) reply;
                List<ByteBuffer> l = new ArrayList<>(flat.size());
                for (Object b : flat) {
                    l.add(ByteBuffer.wrap((byte[]) b));
                }
                yield l;
            }
            case STREAM -> reply;
        };
    }

    /** A hash table's capacity that holds n entries without growing. */
    private static int capacity(int n) {
        return n * 4 / 3 + 1;
    }

    /** Whether two printed scores are the same number ("1" and "1.0" are, from stores that print them so). */
    static boolean sameScore(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b) || Double.compare(Resp.score(a), Resp.score(b)) == 0;
    }
}
