package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
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

    @SuppressWarnings("unchecked")
    static Object canonical(DataType type, Object reply) {
        return switch (type) {
            case STRING -> ByteBuffer.wrap((byte[]) reply);
            case HASH -> {
                Map<ByteBuffer, ByteBuffer> m = new LinkedHashMap<>();
                ((Map<byte[], byte[]>) reply).forEach((k, v) -> m.put(ByteBuffer.wrap(k), ByteBuffer.wrap(v)));
                yield m;
            }
            case SET -> {
                Set<ByteBuffer> s = new LinkedHashSet<>();
                ((Collection<byte[]>) reply).forEach(b -> s.add(ByteBuffer.wrap(b)));
                yield s;
            }
            case ZSET -> {
                Map<ByteBuffer, Double> m = new LinkedHashMap<>();
                ((List<ScoredValue<byte[]>>) reply).forEach(v -> m.put(ByteBuffer.wrap(v.getValue()), v.getScore()));
                yield m;
            }
            case LIST -> {
                List<ByteBuffer> l = new ArrayList<>();
                ((List<byte[]>) reply).forEach(b -> l.add(ByteBuffer.wrap(b)));
                yield l;
            }
            case STREAM -> reply;
        };
    }
}
