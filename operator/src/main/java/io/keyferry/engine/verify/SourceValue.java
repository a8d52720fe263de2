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
 * ByteBuffer, hashes as a map, sets as a set, sorted sets as member to score, lists as a list,
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
                Map<ByteBuffer, ByteBuffer> m = new LinkedHashMap<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    m.put(ByteBuffer.wrap((byte[]) flat.get(i)), ByteBuffer.wrap((byte[]) flat.get(i + 1)));
                }
                yield m;
            }
            case SET -> {
                Set<ByteBuffer> s = new LinkedHashSet<>();
                ((List<Object>) reply).forEach(b -> s.add(ByteBuffer.wrap((byte[]) b)));
                yield s;
            }
            case ZSET -> {
                List<Object> flat = (List<Object>) reply;
                Map<ByteBuffer, Double> m = new LinkedHashMap<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    m.put(ByteBuffer.wrap((byte[]) flat.get(i)), Resp.score((byte[]) flat.get(i + 1)));
                }
                yield m;
            }
            case LIST -> {
                List<ByteBuffer> l = new ArrayList<>();
                ((List<Object>) reply).forEach(b -> l.add(ByteBuffer.wrap((byte[]) b)));
                yield l;
            }
            case STREAM -> reply;
        };
    }
}
