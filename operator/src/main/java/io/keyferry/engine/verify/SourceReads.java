package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.copy.TypeGuess;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Digest;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.StreamInfo;
import io.keyferry.engine.verify.Verifier.KeyRef;
import io.keyferry.engine.verify.Verifier.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * The reading half of a {@link KeyChecker}: every source key of a batch read over the checker's source connections in
 * as few round trips as the key names allow, each with one bounded command, so a small key comes back whole and a big
 * one is only known to be big.
 */
final class SourceReads {
    private static final int SMALL_ELEMENTS = BatchCopier.WHOLE_ELEMENTS;
    private static final int SMALL_STRING_BYTES = BatchCopier.SMALL_STRING_BYTES;
    /** The bounded reads' arguments, encoded once. */
    private static final byte[] ALL = Resp.num(SMALL_ELEMENTS);
    private static final byte[] STRING_END = Resp.num(SMALL_STRING_BYTES);

    private final List<RedisLink> sources;
    /** What each source's commands allow, in the order of {@link #sources}. */
    private final List<Commands> sourceCommands;
    private final TypeGuess types = new TypeGuess();
    /** The size of the values read lately: how many a batch reads whole ({@link BatchMemory}). */
    private final BatchMemory.Sizes valueBytes = new BatchMemory.Sizes();

    /** The types whose keys, where one source alone writes them, the target must hold exactly as read. */
    private final java.util.function.Predicate<DataType> exact;

    SourceReads(List<RedisLink> sources, List<Commands> sourceCommands, java.util.function.Predicate<DataType> exact) {
        this.sources = sources;
        this.sourceCommands = sourceCommands;
        this.exact = exact;
    }

    /**
     * Keeps the values of the round about to be sent within the batch's room, on every source's pipe (before the sends:
     * a pipe may read replies while it sends); values past it stand as {@link BatchMemory#NO_ROOM}, and their keys are
     * compared chunk by chunk, as big ones are.
     */
    private List<DigestedReads> filterAll(BatchMemory room) {
        List<DigestedReads> filters = new ArrayList<>(sources.size());
        for (RedisLink l : sources) {
            DigestedReads f = new DigestedReads(room);
            l.pipe().filtering(f);
            filters.add(f);
        }
        return filters;
    }

    /** Flushes every source's pipe, then collects each one's replies: their round trips overlap. */
    private List<List<Object>> syncAll() {
        sources.forEach(l -> l.pipe().flush());
        List<List<Object>> replies = new ArrayList<>(sources.size());
        sources.forEach(l -> replies.add(l.pipe().sync()));
        return replies;
    }

    /** Where a member's replies stand in its source's pipe, and what is known of it so far. */
    private static final class Slot {
        final Member member;
        /** The only member of its chain: the target holds its value as it is where the policy is exact. */
        final boolean alone;
        DataType guessed;
        int typeAt = -1;
        int pttlAt = -1;
        int readAt = -1;
        String typeReply;
        long pttl;
        Object value;
        /** A small stream's XINFO GROUPS reply; null where its source keeps no groups. */
        Object groups;

        Slot(Member member, boolean alone) {
            this.member = member;
            this.alone = alone;
        }
    }

    /**
     * Reads every member with one bounded command: a small key comes back whole, a big one is known by its
     * reply overflowing the bound (and is then compared chunk by chunk), so no key is sized first. Where the
     * key's name tells its type ({@link TypeGuess}) the read goes with its PTTL in the first round trip and no
     * TYPE is asked (a missing key shows in its PTTL, a wrong guess as WRONGTYPE); other keys are asked TYPE
     * and PTTL first and read in a second round trip, a wrong guess's TYPE and read in a second and third.
     */
    List<List<KeyChecker.Read>> read(List<KeyRef> refs, boolean digests) {
        long now = System.currentTimeMillis(); // before the PTTLs: expiries computed from it are never late
        BatchMemory room = new BatchMemory(BatchMemory.BATCH_BYTES);
        long most = valueBytes.most(BatchMemory.BATCH_BYTES); // reads: as many as values of the size seen lately fill
        int reads = 0;
        List<DigestedReads> filters = filterAll(room);
        boolean guessing = types.guessing();
        List<Slot> slots = new ArrayList<>();
        for (KeyRef ref : refs) {
            for (Member member : ref.members()) {
                Slot s = new Slot(member, digests && ref.members().size() == 1);
                Pipe p = pipe(member);
                s.guessed = guessing && reads < most ? types.guess(member.key()) : null;
                reads += s.guessed == null ? 0 : 1;
                if (s.guessed == null) {
                    s.typeAt = p.send(Cmd.TYPE, member.key());
                }
                s.pttlAt = p.send(Cmd.PTTL, member.key());
                if (s.guessed != null) {
                    s.readAt = read(s, s.guessed, filters);
                }
                slots.add(s);
            }
        }
        List<List<Object>> replies = syncAll();
        int right = 0;
        int wrong = 0;
        List<Slot> unread = new ArrayList<>();
        List<Slot> untyped = new ArrayList<>();
        for (Slot s : slots) {
            List<Object> r = replies.get(s.member.source());
            s.pttl = Resp.integer(r.get(s.pttlAt), pipe(s.member).label(), s.member.key());
            if (s.guessed == null) {
                s.typeReply = Resp.typeName(r.get(s.typeAt), pipe(s.member).label(), s.member.key());
                DataType type = DataType.fromTypeReply(s.typeReply);
                types.learn(s.member.key(), type);
                if (type != null) {
                    unread.add(s);
                }
            } else if (r.get(s.readAt) instanceof Resp.Error e && e.wrongType()) {
                wrong++;
                untyped.add(s);
            } else {
                right++;
                s.typeReply = s.pttl == -2 ? "none" : s.guessed.wireName();
                s.value = s.pttl == -2 ? null : held(r.get(s.readAt));
                if (s.pttl != -2) {
                    types.learn(s.member.key(), s.guessed);
                }
            }
        }
        types.outcome(right, wrong);
        if (!unread.isEmpty() || !untyped.isEmpty()) { // a filter is set only where a sync will clear it
            filters = filterAll(room);
        }
        for (Slot s : unread) { // past the room a key is compared chunk by chunk, as a big one is
            s.readAt = reads++ >= most ? -1 : read(s, DataType.fromTypeReply(s.typeReply), filters);
        }
        for (Slot s : untyped) {
            s.typeAt = pipe(s.member).send(Cmd.TYPE, s.member.key());
        }
        if (!unread.isEmpty() || !untyped.isEmpty()) {
            replies = syncAll();
            for (Slot s : unread) {
                s.value = s.readAt < 0 ? null : held(replies.get(s.member.source()).get(s.readAt));
            }
            unread.clear();
            for (Slot s : untyped) { // a wrong guess: its type now, and a read of that type
                s.typeReply = Resp.typeName(replies.get(s.member.source()).get(s.typeAt), pipe(s.member).label(), s.member.key());
                DataType type = DataType.fromTypeReply(s.typeReply);
                types.learn(s.member.key(), type);
                if (type != null && reads++ < most) {
                    unread.add(s);
                }
            }
            if (!unread.isEmpty()) {
                filters = filterAll(room);
            }
            for (Slot s : unread) {
                s.readAt = read(s, DataType.fromTypeReply(s.typeReply), filters);
            }
            if (!unread.isEmpty()) {
                replies = syncAll();
                for (Slot s : unread) {
                    s.value = held(replies.get(s.member.source()).get(s.readAt));
                }
            }
        }
        valueBytes.saw(room);
        readGroups(slots);
        List<List<KeyChecker.Read>> out = new ArrayList<>(refs.size());
        int i = 0;
        for (KeyRef ref : refs) {
            List<KeyChecker.Read> r = new ArrayList<>(ref.members().size());
            for (int m = 0; m < ref.members().size(); m++) {
                Slot s = slots.get(i++);
                DataType type = DataType.fromTypeReply(s.typeReply);
                r.add(new KeyChecker.Read(s.member, type, s.typeReply, s.pttl >= 0 ? now + s.pttl : -1,
                        s.value == null || type == null ? null : whole(type, s)));
            }
            out.add(r);
        }
        return out;
    }

    /**
     * The consumer groups of the small streams read whole, where their source keeps groups: one more round trip for
     * all of them (XINFO GROUPS), none for a batch without such streams.
     */
    private void readGroups(List<Slot> slots) {
        List<Slot> streams = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (Slot s : slots) {
            if (DataType.fromTypeReply(s.typeReply) == DataType.STREAM && s.value instanceof List<?> entries
                    && entries.size() <= SMALL_ELEMENTS && sourceCommands.get(s.member.source()).consumerGroups()) {
                streams.add(s);
                at.add(pipe(s.member).send(Cmd.XINFO, Cmd.GROUPS, s.member.key()));
            }
        }
        if (streams.isEmpty()) {
            return;
        }
        List<List<Object>> replies = syncAll();
        for (int i = 0; i < streams.size(); i++) {
            streams.get(i).groups = replies.get(streams.get(i).member.source()).get(at.get(i));
        }
    }

    /** A read's reply, or null where the batch had no room for it (the key is then compared chunk by chunk). */
    private static Object held(Object reply) {
        return reply == BatchMemory.NO_ROOM ? null : reply;
    }

    /** The whole value in canonical form, or null where the bounded read shows a big key. */
    private Object whole(DataType type, Slot s) {
        return Resp.shaped(sources.get(s.member.source()).label(), s.member.key(), () -> wholeOf(type, s.value, s));
    }

    private Object wholeOf(DataType type, Object reply, Slot s) {
        Member member = s.member;
        if (reply instanceof Resp.Error || reply == Digest.UNREADABLE) {
            return null; // the key changed type since TYPE: checked chunk by chunk as it is now
        }
        if (reply instanceof Digest d) {
            boolean whole = switch (type) {
                case STRING -> d.count() <= SMALL_STRING_BYTES;
                case LIST, STREAM -> d.count() <= SMALL_ELEMENTS;
                case HASH, SET, ZSET -> d.finished();
            };
            return whole ? d : null;
        }
        Object complete = switch (type) {
            case STRING -> ((byte[]) reply).length <= SMALL_STRING_BYTES ? reply : null;
            case LIST, STREAM -> ((List<?>) reply).size() <= SMALL_ELEMENTS ? reply : null;
            case HASH, SET, ZSET -> {
                List<?> page = (List<?>) reply;
                yield Resp.finished((byte[]) page.get(0)) ? page.get(1) : null;
            }
        };
        if (complete == null) {
            return null;
        }
        if (type == DataType.STREAM) {
            String label = sources.get(member.source()).label();
            return new SourceValue.StreamValue(StreamInfo.entries(member.key(), Resp.array(complete, "", member.key())),
                    s.groups == null ? new java.util.LinkedHashMap<>() : StreamInfo.groups(s.groups, label, member.key()));
        }
        return SourceValue.canonical(type, complete);
    }

    /**
     * Sends a member's bounded read; digested where the target must hold its value exactly as it is ({@link Digest}).
     *
     * @return the index of its reply
     */
    private int read(Slot s, DataType type, List<DigestedReads> filters) {
        int at = boundedRead(pipe(s.member), type, s.member.key());
        if (s.alone && type != DataType.STREAM && exact.test(type)) {
            filters.get(s.member.source()).digest(at, type);
        }
        return at;
    }

    /** @return the index of its reply */
    static int boundedRead(Pipe s, DataType type, byte[] key) {
        byte[] all = ALL;
        return switch (type) {
            case STRING -> s.send(Cmd.GETRANGE, key, Cmd.ZERO, STRING_END);
            case HASH -> s.send(Cmd.HSCAN, key, Cmd.ZERO, Cmd.COUNT, all);
            case SET -> s.send(Cmd.SSCAN, key, Cmd.ZERO, Cmd.COUNT, all);
            case ZSET -> s.send(Cmd.ZSCAN, key, Cmd.ZERO, Cmd.COUNT, all);
            case LIST -> s.send(Cmd.LRANGE, key, Cmd.ZERO, all);
            case STREAM -> s.send(Cmd.XRANGE, key, Cmd.MIN, Cmd.MAX, Cmd.COUNT, Resp.num(SMALL_ELEMENTS + 1));
        };
    }


    private Pipe pipe(Member m) {
        return sources.get(m.source()).pipe();
    }
}
