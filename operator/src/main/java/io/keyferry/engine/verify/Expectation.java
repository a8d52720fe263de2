package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.redis.StreamIds;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one target key must hold, folded from the sources that write it, in list order. The target's
 * content before the copy is unknown, so a Merge or Fill onto it only requires the source's part
 * (CONTAINS), while an Overwrite fixes the whole value (EXACT) for everything folded after it.
 */
final class Expectation {
    enum Shape { EXISTS, CONTAINS, EXACT }

    final DataType type;
    Shape shape = Shape.EXISTS;
    TtlRule ttl = TtlRule.ANY;
    ByteBuffer string;
    /** Hash fields; a null value means present with any value (filled onto an unknown target). */
    Map<ByteBuffer, ByteBuffer> fields = new LinkedHashMap<>();
    /** Sorted-set members to their scores as the source printed them; a null score means present with any score. */
    Map<ByteBuffer, byte[]> scores = new LinkedHashMap<>();
    Set<ByteBuffer> members = new LinkedHashSet<>();
    /** List elements: the whole list (EXACT) or the elements it must end with (CONTAINS). */
    List<ByteBuffer> elements = new ArrayList<>();
    SourceValue.StreamValue stream;
    /** Stream groups must sit at the expected last-delivered IDs (Merge), not only exist (Fill). */
    boolean groupsExact;

    Expectation(DataType type) {
        this.type = type;
    }

    /** Folds in one source key under its policy, as the copy applied it. */
    @SuppressWarnings("unchecked")
    void apply(Policy policy, SourceValue s) {
        if (policy == Policy.SKIP) {
            return;
        }
        if (policy == Policy.OVERWRITE || (policy == Policy.MERGE && type == DataType.STRING)) {
            replaceWith(s);
            return;
        }
        boolean fill = policy == Policy.FILL;
        if (fill && (type == DataType.STRING || type == DataType.LIST)) {
            return; // Fill leaves existing strings and lists, TTL included
        }
        switch (type) {
            case HASH -> ((Map<ByteBuffer, ByteBuffer>) s.value()).forEach((f, v) -> {
                if (!fill) {
                    fields.put(f, v);
                } else if (!fields.containsKey(f)) {
                    fields.put(f, shape == Shape.EXACT ? v : null);
                }
            });
            case ZSET -> ((Map<ByteBuffer, byte[]>) s.value()).forEach((m, v) -> {
                if (!fill) {
                    scores.put(m, v);
                } else if (!scores.containsKey(m)) {
                    scores.put(m, shape == Shape.EXACT ? v : null);
                }
            });
            case SET -> members.addAll((Set<ByteBuffer>) s.value());
            case LIST -> elements.addAll((List<ByteBuffer>) s.value());
            case STREAM -> appendNewer((SourceValue.StreamValue) s.value(), fill);
            default -> throw new IllegalStateException("unreachable: " + type);
        }
        if (shape == Shape.EXISTS) {
            shape = Shape.CONTAINS;
        }
        ttl = ttl.merge(s.expireAt());
    }

    /**
     * Takes the source value itself, not a copy: a value read for a check is folded once, and copying a
     * million small maps (hashing every field again) was a tenth of verification's CPU.
     */
    @SuppressWarnings("unchecked")
    private void replaceWith(SourceValue s) {
        shape = Shape.EXACT;
        ttl = TtlRule.exactly(s.expireAt());
        switch (type) {
            case STRING -> string = (ByteBuffer) s.value();
            case HASH -> fields = (Map<ByteBuffer, ByteBuffer>) s.value();
            case ZSET -> scores = (Map<ByteBuffer, byte[]>) s.value();
            case SET -> members = (Set<ByteBuffer>) s.value();
            case LIST -> elements = (List<ByteBuffer>) s.value();
            case STREAM -> stream = (SourceValue.StreamValue) s.value();
        }
    }

    /**
     * Merge and Fill append the entries newer than the target's last. Over an exact base the result is
     * known; over an unknown one, only that the target reaches the source's last entry and has its groups.
     */
    private void appendNewer(SourceValue.StreamValue s, boolean fill) {
        if (shape != Shape.EXACT) {
            shape = Shape.CONTAINS;
            stream = s;
            groupsExact = !fill;
            return;
        }
        List<StreamMessage<byte[], byte[]>> entries = new ArrayList<>(stream.entries());
        String last = entries.isEmpty() ? "0-0" : entries.get(entries.size() - 1).getId();
        for (StreamMessage<byte[], byte[]> e : s.entries()) {
            if (StreamIds.compare(e.getId(), last) > 0) {
                entries.add(e);
            }
        }
        Map<String, String> groups = new LinkedHashMap<>(stream.groups());
        s.groups().forEach((name, lastDelivered) -> {
            if (fill) {
                groups.putIfAbsent(name, lastDelivered);
            } else {
                groups.put(name, lastDelivered); // Merge: the source's position wins
            }
        });
        stream = new SourceValue.StreamValue(entries, groups);
    }
}
