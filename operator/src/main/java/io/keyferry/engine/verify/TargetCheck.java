package io.keyferry.engine.verify;

import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.StreamIds;
import io.keyferry.engine.redis.StreamInfo;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import io.lettuce.core.StreamMessage;
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
    /** What the target's commands allow: SMISMEMBER and ZMSCORE ask for all members in one command. */
    private final Commands commands;
    private final List<Probe> probes = new ArrayList<>();

    TargetCheck(RedisLink target, Commands commands) {
        this.target = target;
        this.commands = commands;
    }

    /** The reads for one key, queued until {@link #run()}. */
    private final class Probe {
        final byte[] key;
        final Expectation e;
        /** Where this key's replies stand in the pipeline's. */
        final List<Integer> at = new ArrayList<>();
        List<Object> all;

        Probe(byte[] key, Expectation e) {
            this.key = key;
            this.e = e;
            Pipe t = target.pipe();
            switch (e.type) {
                case STRING -> {
                    if (e.shape == Expectation.Shape.EXACT) {
                        // One byte more than expected: a longer target shows without asking its length.
                        at.add(t.send(Cmd.GETRANGE, key, Cmd.ZERO, Resp.num(e.string.remaining())));
                    }
                }
                case HASH -> {
                    at.add(t.send(Cmd.HLEN, key));
                    if (!e.fields.isEmpty()) {
                        at.add(t.send(Resp.command(Cmd.HMGET, key, e.fields.keys())));
                    }
                }
                case SET -> {
                    at.add(t.send(Cmd.SCARD, key));
                    if (commands.smismember() && !e.members.isEmpty()) {
                        at.add(t.send(Resp.command(Cmd.SMISMEMBER, key, e.members.keys())));
                    } else {
                        e.members.keys().forEach(m -> at.add(t.send(Cmd.SISMEMBER, key, m)));
                    }
                }
                case ZSET -> {
                    at.add(t.send(Cmd.ZCARD, key));
                    if (exactScores()) {
                        // The whole set in one page, as the source was read: ZSCAN hands back the scores as the
                        // server keeps them, where ZRANGE WITHSCORES and ZMSCORE print every score anew (Redis 7.0,
                        // 5-50 members: 6.6 µs against 16 and 15), and the texts then match the source's as they are.
                        at.add(t.send(Cmd.ZSCAN, key, Cmd.ZERO, Cmd.COUNT, Resp.num(e.scores.size() + 1L)));
                    } else if (commands.zmscore() && !e.scores.isEmpty()) {
                        at.add(t.send(Resp.command(Cmd.ZMSCORE, key, e.scores.keys())));
                    } else {
                        e.scores.keys().forEach(m -> at.add(t.send(Cmd.ZSCORE, key, m)));
                    }
                }
                case LIST -> {
                    at.add(t.send(Cmd.LLEN, key));
                    int n = e.elements.size();
                    if (e.shape == Expectation.Shape.EXACT) {
                        at.add(t.send(Cmd.LRANGE, key, Cmd.ZERO, Resp.num(n)));
                    } else if (n > 0) {
                        at.add(t.send(Cmd.LRANGE, key, Resp.num(-n), Cmd.LAST));
                    }
                }
                case STREAM -> {
                    if (e.shape == Expectation.Shape.EXACT) {
                        at.add(t.send(Cmd.XLEN, key));
                        at.add(t.send(Cmd.XRANGE, key, Cmd.MIN, Cmd.MAX, Cmd.COUNT, Resp.num(e.stream.entries().size() + 1L)));
                        if (commands.consumerGroups()) {
                            at.add(t.send(Cmd.XINFO, Cmd.GROUPS, key));
                        }
                    }
                }
            }
        }

        String difference() {
            try {
                return Resp.shaped(target.label(), key, this::compare);
            } catch (Resp.ReplyError e) {
                return "changed while checked (" + e.error().message() + ")"; // the next round looks again
            }
        }

        @SuppressWarnings("unchecked")
        private String compare() {
            return switch (e.type) {
                case STRING -> e.shape != Expectation.Shape.EXACT ? null : stringDifference(Resp.bytes(reply(0), target.label(), key));
                case HASH -> hashDifference(size(), e.fields.isEmpty() ? List.of() : array(1));
                case SET -> setDifference();
                case ZSET -> zsetDifference();
                case LIST -> listDifference(size(), at.size() > 1 ? array(1) : List.of());
                case STREAM -> e.shape == Expectation.Shape.EXISTS ? null
                        : e.shape == Expectation.Shape.CONTAINS ? streamCoverage()
                        : streamDifference(size(), StreamInfo.entries(key, array(1)));
            };
        }

        private boolean exact() {
            return e.shape == Expectation.Shape.EXACT;
        }

        private Object reply(int i) {
            return all.get(at.get(i));
        }

        private long size() {
            return Resp.integer(reply(0), target.label(), key);
        }

        private List<Object> array(int i) {
            return Resp.array(reply(i), target.label(), key);
        }

        private String stringDifference(byte[] head) {
            if (head.length != e.string.remaining()) {
                long length = head.length <= e.string.remaining() ? head.length : target.call(target.async().strlen(key));
                return "length differs: expected " + e.string.remaining() + " bytes, target " + length;
            }
            int at = ByteBuffer.wrap(head).mismatch(e.string);
            return at < 0 ? null : "differs at byte " + at;
        }

        private String hashDifference(long size, List<Object> values) {
            for (int i = 0; i < e.fields.size(); i++) {
                byte[] got = (byte[]) values.get(i);
                if (got == null) {
                    return "field '" + Keys.show(e.fields.key(i)) + "' missing";
                }
                if (e.fields.value(i) != null && !Arrays.equals(e.fields.value(i), got)) {
                    return "field '" + Keys.show(e.fields.key(i)) + "' differs";
                }
            }
            return exact() ? sizeDifference(size, e.fields.size(), "fields") : null;
        }

        /** The i-th member's reply: from one SMISMEMBER/ZMSCORE ({@code multi}), or from its own SISMEMBER/ZSCORE. */
        private Object member(int i, boolean multi) {
            return Resp.bytesOrInteger(multi ? array(1).get(i) : reply(1 + i), target.label(), key);
        }

        private String setDifference() {
            for (int i = 0; i < e.members.size(); i++) {
                if (!Long.valueOf(1).equals(member(i, commands.smismember()))) {
                    return "member '" + Keys.show(e.members.key(i)) + "' missing";
                }
            }
            return exact() ? sizeDifference(size(), e.members.size(), "members") : null;
        }

        /** An exact sorted set whose every score is known: compared with the target's whole set. */
        private boolean exactScores() {
            return exact() && !e.scores.isEmpty() && e.scores.valuesKnown();
        }

        private String zsetDifference() {
            if (exactScores()) {
                String sizes = sizeDifference(size(), e.scores.size(), "members");
                if (sizes != null) {
                    return sizes;
                }
                List<Object> page = array(1);
                List<Object> got = Resp.array(page.get(1), target.label(), key); // member, score, ...
                if (!Resp.finished(Resp.bytes(page.get(0), target.label(), key)) || got.size() != 2 * e.scores.size()) {
                    // Not in one page (a store that pages small sets): the set by rank, one more than expected.
                    got = Resp.array(Resp.call(target.pipe(), Cmd.ZRANGE, key, Cmd.ZERO, Resp.num(e.scores.size()),
                            Cmd.WITHSCORES), target.label(), key);
                }
                for (int j = 0; j + 1 < got.size(); j += 2) { // as many members as expected, each distinct
                    byte[] member = Resp.bytes(got.get(j), target.label(), key);
                    byte[] score = Resp.bytes(got.get(j + 1), target.label(), key);
                    // Mostly in the order the source was read: looked up only where not.
                    int i = j / 2 < e.scores.size() && Arrays.equals(member, e.scores.key(j / 2)) ? j / 2 : e.scores.indexOf(member);
                    if (i < 0) {
                        return "member '" + Keys.show(member) + "' is not in the source";
                    }
                    if (!SourceValue.sameScore(e.scores.value(i), score)) {
                        return "score of '" + Keys.show(member) + "' differs: expected " + Resp.score(e.scores.value(i))
                                + ", target " + Resp.score(score);
                    }
                }
                return null;
            }
            for (int i = 0; i < e.scores.size(); i++) {
                byte[] score = (byte[]) member(i, commands.zmscore());
                if (score == null) {
                    return "member '" + Keys.show(e.scores.key(i)) + "' missing";
                }
                if (e.scores.value(i) != null && !SourceValue.sameScore(e.scores.value(i), score)) {
                    return "score of '" + Keys.show(e.scores.key(i)) + "' differs: expected " + Resp.score(e.scores.value(i))
                            + ", target " + Resp.score(score);
                }
            }
            return exact() ? sizeDifference(size(), e.scores.size(), "members") : null;
        }

        private String listDifference(long length, List<Object> got) {
            int n = e.elements.size();
            if (e.shape == Expectation.Shape.EXACT && length != n) {
                return "length differs: expected " + n + ", target " + length;
            }
            if (length < n) {
                return "target has " + length + " elements, fewer than the " + n + " it must end with";
            }
            int offset = e.shape == Expectation.Shape.EXACT ? 0 : (int) (length - n);
            for (int i = 0; i < n; i++) {
                if (!Arrays.equals(e.elements.get(i), (byte[]) got.get(i))) {
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
            Map<String, String> groups = StreamInfo.groups(target, commands.consumerGroups(), key);
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
            Map<String, String> groups = at.size() > 2 ? StreamInfo.groups(reply(2), target.label(), key) : Map.of();
            return groups.equals(e.stream.groups()) ? null
                    : "consumer groups differ: expected " + e.stream.groups() + ", target " + groups;
        }
    }

    /**
     * Queues the reads that check one key.
     *
     * @return where the reply of its first read stands in the pipeline's, if that read answers only for a key of
     *     the expected type (HLEN, SCARD, ZCARD, LLEN, a string's GETRANGE, XLEN: WRONGTYPE otherwise), else -1
     */
    int add(byte[] key, Expectation e) {
        Probe p = new Probe(key, e);
        probes.add(p);
        return p.at.isEmpty() ? -1 : p.at.get(0);
    }

    /** Sends the queued reads; returns each key's first difference, or null where it matches. */
    List<String> run() {
        return run(probes.isEmpty() ? List.of() : target.pipe().sync(), 0);
    }

    /**
     * Compares with replies the caller synced from the target's pipe: the queued reads' and {@code others}
     * commands of the caller's own, sent on the same pipe in the same round trip.
     */
    List<String> run(List<Object> replies, int others) {
        int queued = others;
        for (Probe p : probes) {
            queued += p.at.size();
        }
        if (replies.size() != queued) { // another reader synced the pipe between: the replies are not these
            throw new IllegalStateException(target.label() + ": " + replies.size() + " replies for " + queued + " reads");
        }
        probes.forEach(p -> p.all = replies);
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

}
