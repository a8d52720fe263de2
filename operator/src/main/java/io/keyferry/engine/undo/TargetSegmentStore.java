package io.keyferry.engine.undo;

import io.keyferry.engine.redis.RedisLink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The undo journal kept in a store (the target, beside the checkpoint, or spec.undo.store): segment N is the string
 * {@code keyferry:undo:{<id>}:N}, and the hash {@code keyferry:undo:{<id>}} holds {@code next} (the last number taken)
 * and {@code bytes}. An append takes its number with HINCRBY (so two writers never share one), then writes the
 * segment; a writer killed between the two leaves a number without a segment, which reading skips (its batch wrote
 * nothing). In braces, so a Redis Cluster keeps the journal in one slot. As durable as the store's own data.
 */
public final class TargetSegmentStore implements SegmentStore {
    public static final String KEY_PREFIX = "keyferry:undo:";

    private final RedisLink store;
    private final String base;
    private final byte[] meta;
    private final boolean owned;

    /**
     * @param store a connection of its own to the store
     * @param id    names the migration (its UID)
     * @param owned the connection is closed with this store
     */
    public TargetSegmentStore(RedisLink store, String id, boolean owned) {
        this.store = store;
        this.base = metaKey(id);
        this.meta = bytes(base);
        this.owned = owned;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] segmentKey(long n) {
        return bytes(base + ":" + n);
    }

    @Override
    public void append(byte[] segment) {
        long n = store.call(store.async().hincrby(meta, bytes("next"), 1));
        store.call(store.async().set(segmentKey(n), segment));
        store.call(store.async().hincrby(meta, bytes("bytes"), segment.length));
    }

    @Override
    public long count() {
        return field("next");
    }

    @Override
    public void forEach(Consumer<byte[]> segment) {
        long last = field("next");
        for (long from = 1; from <= last; from += 64) {
            List<io.lettuce.core.RedisFuture<byte[]>> gets = new ArrayList<>();
            for (long n = from; n < Math.min(last + 1, from + 64); n++) {
                gets.add(store.async().get(segmentKey(n)));
            }
            for (io.lettuce.core.RedisFuture<byte[]> get : gets) {
                byte[] body = store.call(get);
                if (body != null) {
                    segment.accept(body);
                }
            }
        }
    }

    private long field(String name) {
        byte[] v = store.call(store.async().hget(meta, bytes(name)));
        return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
    }

    @Override
    public long bytes() {
        return field("bytes");
    }

    @Override
    public Optional<String> progress() {
        byte[] v = store.call(store.async().get(bytes(base + ":progress")));
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public void saveProgress(String progress) {
        store.call(store.async().set(bytes(base + ":progress"), bytes(progress)));
    }

    /** The journal's hash ({@code next}, {@code bytes}, and the operator's decision {@link #ENABLED}): its segments' base. */
    public static String metaKey(String id) {
        return KEY_PREFIX + "{" + id + "}";
    }

    /** The field of {@link #metaKey} that holds the operator's workers' decision to journal, {@code 1} or {@code 0}. */
    public static final String ENABLED = "enabled";

    /** The undone marker of a migration's journal: a string beside the journal, in the same slot. */
    public static String undoneKey(String id) {
        return metaKey(id) + ":undone";
    }

    @Override
    public void markUndone(String summary) {
        store.call(store.async().set(bytes(base + ":undone"), bytes(summary)));
    }

    @Override
    public Optional<String> undone() {
        byte[] v = store.call(store.async().get(bytes(base + ":undone")));
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public void clear() {
        long last = field("next");
        for (long n = 1; n <= last; n++) {
            store.call(store.async().del(segmentKey(n)));
        }
        store.call(store.async().del(meta, bytes(base + ":progress")));
    }

    @Override
    public void close() {
        if (owned) {
            store.close();
        }
    }
}
