package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.redis.StreamIds;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    Elements fields = Elements.empty();
    /** Sorted-set members with their scores as the source printed them; a null score means present with any score. */
    Elements scores = Elements.empty();
    Elements members = Elements.empty();
    /** List elements: the whole list (EXACT) or the elements it must end with (CONTAINS). */
    List<byte[]> elements = new ArrayList<>();
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
            case HASH -> add(fields, (Elements) s.value(), fill);
            case ZSET -> add(scores, (Elements) s.value(), fill);
            case SET -> add(members, (Elements) s.value(), fill);
            case LIST -> elements.addAll((List<byte[]>) s.value());
            case STREAM -> appendNewer((SourceValue.StreamValue) s.value(), fill);
            default -> throw new IllegalStateException("unreachable: " + type);
        }
        if (shape == Shape.EXISTS) {
            shape = Shape.CONTAINS;
        }
        ttl = ttl.merge(s.expireAt());
    }

    /** Merge: the source's value wins on the same field or member. Fill: only what is missing is added. */
    private void add(Elements into, Elements from, boolean fill) {
        for (int i = 0; i < from.size(); i++) {
            if (!fill) {
                into.put(from.key(i), from.value(i));
            } else if (into.indexOf(from.key(i)) < 0) {
                into.put(from.key(i), shape == Shape.EXACT ? from.value(i) : null);
            }
        }
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
            case HASH -> fields = (Elements) s.value();
            case ZSET -> scores = (Elements) s.value();
            case SET -> members = (Elements) s.value();
            case LIST -> elements = (List<byte[]>) s.value();
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
