package io.keyferry.engine.verify;

import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.StreamIds;
import io.keyferry.engine.redis.StreamInfo;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks target keys against expectations held whole in memory (small keys): every read is queued
 * in one pipeline, then each key's replies are compared and the first difference named.
 */
final class TargetCheck {
    private final RedisLink target;
    private final boolean multiMember;
    private final List<Probe> probes = new ArrayList<>();

    /** @param multiMember the target answers SMISMEMBER and ZMSCORE: one command for all members */
    TargetCheck(RedisLink target, boolean multiMember) {
        this.target = target;
        this.multiMember = multiMember;
    }

    /** The reads for one key, queued until {@link #run()}. */
    private final class Probe {
        final byte[] key;
        final Expectation e;
        final List<RedisFuture<?>> replies = new ArrayList<>();

        Probe(byte[] key, Expectation e) {
            this.key = key;
            this.e = e;
            RedisClusterAsyncCommands<byte[], byte[]> t = target.async();
            switch (e.type) {
                case STRING -> {
                    if (e.shape == Expectation.Shape.EXACT) {
                        // One byte more than expected: a longer target shows without asking its length.
                        replies.add(t.getrange(key, 0, e.string.remaining()));
                    }
                }
                case HASH -> {
                    replies.add(t.hlen(key));
                    if (!e.fields.isEmpty()) {
                        replies.add(t.hmget(key, e.fields.keySet().stream().map(TargetCheck::bytes).toArray(byte[][]::new)));
                    }
                }
                case SET -> {
                    replies.add(t.scard(key));
                    if (multiMember && !e.members.isEmpty()) {
                        replies.add(t.smismember(key, e.members.stream().map(TargetCheck::bytes).toArray(byte[][]::new)));
                    } else {
                        e.members.forEach(m -> replies.add(t.sismember(key, bytes(m))));
                    }
                }
                case ZSET -> {
                    replies.add(t.zcard(key));
                    if (multiMember && !e.scores.isEmpty()) {
                        replies.add(t.zmscore(key, e.scores.keySet().stream().map(TargetCheck::bytes).toArray(byte[][]::new)));
                    } else {
                        e.scores.keySet().forEach(m -> replies.add(t.zscore(key, bytes(m))));
                    }
                }
                case LIST -> {
                    replies.add(t.llen(key));
                    int n = e.elements.size();
                    if (e.shape == Expectation.Shape.EXACT) {
                        replies.add(t.lrange(key, 0, n));
                    } else if (n > 0) {
                        replies.add(t.lrange(key, -n, -1));
                    }
                }
                case STREAM -> {
                    if (e.shape == Expectation.Shape.EXACT) {
                        replies.add(t.xlen(key));
                        replies.add(t.xrange(key, Range.create("-", "+"), Limit.from(e.stream.entries().size() + 1L)));
                    }
                }
            }
        }

        String difference() {
            try {
                return compare();
            } catch (io.lettuce.core.RedisCommandExecutionException e) {
                return "changed while checked (" + e.getMessage() + ")"; // the next round looks again
            }
        }

        @SuppressWarnings("unchecked")
        private String compare() {
            return switch (e.type) {
                case STRING -> e.shape != Expectation.Shape.EXACT ? null : stringDifference((byte[]) reply(0));
                case HASH -> hashDifference((Long) reply(0), e.fields.isEmpty() ? List.of() : (List<KeyValue<byte[], byte[]>>) reply(1));
                case SET -> setDifference();
                case ZSET -> zsetDifference();
                case LIST -> listDifference((Long) reply(0), replies.size() > 1 ? (List<byte[]>) reply(1) : List.of());
                case STREAM -> e.shape == Expectation.Shape.EXISTS ? null
                        : e.shape == Expectation.Shape.CONTAINS ? streamCoverage()
                        : streamDifference((Long) reply(0), (List<StreamMessage<byte[], byte[]>>) reply(1));
            };
        }

        private boolean exact() {
            return e.shape == Expectation.Shape.EXACT;
        }

        private Object reply(int i) {
            return RedisLink.await(replies.get(i));
        }

        private String stringDifference(byte[] head) {
            if (head.length != e.string.remaining()) {
                long length = head.length <= e.string.remaining() ? head.length : target.call(target.async().strlen(key));
                return "length differs: expected " + e.string.remaining() + " bytes, target " + length;
            }
            int at = ByteBuffer.wrap(head).mismatch(e.string);
            return at < 0 ? null : "differs at byte " + at;
        }

        private String hashDifference(long size, List<KeyValue<byte[], byte[]>> values) {
            int i = 0;
            for (Map.Entry<ByteBuffer, ByteBuffer> f : e.fields.entrySet()) {
                KeyValue<byte[], byte[]> got = values.get(i++);
                if (!got.hasValue()) {
                    return "field '" + show(f.getKey()) + "' missing";
                }
                if (f.getValue() != null && !f.getValue().equals(ByteBuffer.wrap(got.getValue()))) {
                    return "field '" + show(f.getKey()) + "' differs";
                }
            }
            return exact() ? sizeDifference(size, e.fields.size(), "fields") : null;
        }

        /** The i-th member's reply: from one SMISMEMBER/ZMSCORE, or from its own SISMEMBER/ZSCORE. */
        private Object member(int i) {
            return multiMember ? ((List<?>) reply(1)).get(i) : reply(1 + i);
        }

        private String setDifference() {
            int i = 0;
            for (ByteBuffer m : e.members) {
                if (!Boolean.TRUE.equals(member(i++))) {
                    return "member '" + show(m) + "' missing";
                }
            }
            return exact() ? sizeDifference((Long) reply(0), e.members.size(), "members") : null;
        }

        private String zsetDifference() {
            int i = 0;
            for (Map.Entry<ByteBuffer, Double> m : e.scores.entrySet()) {
                Double score = (Double) member(i++);
                if (score == null) {
                    return "member '" + show(m.getKey()) + "' missing";
                }
                if (m.getValue() != null && Double.compare(score, m.getValue()) != 0) {
                    return "score of '" + show(m.getKey()) + "' differs: expected " + m.getValue() + ", target " + score;
                }
            }
            return exact() ? sizeDifference((Long) reply(0), e.scores.size(), "members") : null;
        }

        private String listDifference(long length, List<byte[]> got) {
            int n = e.elements.size();
            if (e.shape == Expectation.Shape.EXACT && length != n) {
                return "length differs: expected " + n + ", target " + length;
            }
            if (length < n) {
                return "target has " + length + " elements, fewer than the " + n + " it must end with";
            }
            int offset = e.shape == Expectation.Shape.EXACT ? 0 : (int) (length - n);
            for (int i = 0; i < n; i++) {
                if (!e.elements.get(i).equals(ByteBuffer.wrap(got.get(i)))) {
                    return "element " + (offset + i) + " differs";
                }
            }
            return null;
        }

        /**
         * Merge and Fill onto a stream of unknown content append the source entries newer than its last:
         * so the target's last ID must reach the source's last entry, and the source's groups must be there.
         */
        private String streamCoverage() {
            List<StreamMessage<byte[], byte[]>> want = e.stream.entries();
            if (!want.isEmpty()) {
                String last = want.get(want.size() - 1).getId();
                String targetLast = StreamInfo.lastGeneratedId(target, key);
                if (StreamIds.compare(targetLast, last) < 0) {
                    return "entry " + last + " missing: the target's last ID is " + targetLast;
                }
            }
            Map<String, String> groups = StreamInfo.groups(target, key);
            for (Map.Entry<String, String> g : e.stream.groups().entrySet()) {
                if (!groups.containsKey(g.getKey())) {
                    return "consumer group '" + g.getKey() + "' missing";
                }
                if (e.groupsExact && !g.getValue().equals(groups.get(g.getKey()))) {
                    return "consumer group '" + g.getKey() + "' is at " + groups.get(g.getKey()) + ", expected " + g.getValue();
                }
            }
            return null;
        }

        private String streamDifference(long length, List<StreamMessage<byte[], byte[]>> got) {
            List<StreamMessage<byte[], byte[]>> want = e.stream.entries();
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
                if (!want.get(i).getId().equals(got.get(i).getId())) {
                    return "entry " + i + " has id " + got.get(i).getId() + ", expected " + want.get(i).getId();
                }
                if (!sameBody(want.get(i).getBody(), got.get(i).getBody())) {
                    return "entry " + want.get(i).getId() + " differs";
                }
            }
            if (length != want.size()) {
                return "length differs: expected " + want.size() + " entries, target " + length;
            }
            Map<String, String> groups = StreamInfo.groups(target, key);
            return groups.equals(e.stream.groups()) ? null
                    : "consumer groups differ: expected " + e.stream.groups() + ", target " + groups;
        }
    }

    /** Queues the reads that check one key. */
    void add(byte[] key, Expectation e) {
        probes.add(new Probe(key, e));
    }

    /** Sends the queued reads; returns each key's first difference, or null where it matches. */
    List<String> run() {
        List<RedisFuture<?>> all = new ArrayList<>();
        probes.forEach(p -> all.addAll(p.replies));
        target.sync(all);
        List<String> out = new ArrayList<>(probes.size());
        probes.forEach(p -> out.add(p.difference()));
        probes.clear();
        return out;
    }


    static String sizeDifference(long actual, int expected, String what) {
        return actual == expected ? null : "target has " + actual + " " + what + ", expected " + expected;
    }

    static boolean sameBody(Map<byte[], byte[]> a, Map<byte[], byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        List<Map.Entry<byte[], byte[]>> x = new ArrayList<>(a.entrySet());
        List<Map.Entry<byte[], byte[]>> y = new ArrayList<>(b.entrySet());
        for (int i = 0; i < x.size(); i++) {
            if (!Arrays.equals(x.get(i).getKey(), y.get(i).getKey()) || !Arrays.equals(x.get(i).getValue(), y.get(i).getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of a buffer: its own array where it wraps one whole (as canonical values do), else a copy. */
    static byte[] bytes(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static String show(ByteBuffer b) {
        return Keys.show(bytes(b));
    }
}
