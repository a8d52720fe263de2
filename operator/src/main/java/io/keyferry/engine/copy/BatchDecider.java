package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides a batch of one source's keys against the target as it is, nothing written: per key its type, TTL and size,
 * what its type's policy does with what the target holds ({@link Action}, {@link Outcome}), and how it travels (whole,
 * DUMP/RESTORE, in chunks). Used by the thread that decides ({@link BatchCopier}).
 */
final class BatchDecider {
    /**
     * A string whose name tells its type is read while it is decided, up to this many bytes: the value comes with
     * its PTTL and no TYPE is asked. Longer ones are read again with the other keys (bounded, so the decided
     * batch waiting for its read holds little).
     */
    static final int EARLY_STRING_BYTES = 16 * 1024;
    private static final byte[] EARLY_BOUND = Resp.num(EARLY_STRING_BYTES);
    private static final java.util.Map<DataType, TypeCopier> COPIERS = BatchCopier.COPIERS;

    private final String sourceName;
    private final RedisLink source;
    private final RedisLink targetReads;
    private final PolicySpec policies;
    private final PairStrategy strategy;
    private final Set<DataType> types;
    private final boolean groupedExists;
    private final TypeGuess guesses = new TypeGuess();

    /** @param types the source's keys.types filter, or null for every type */
    BatchDecider(String sourceName, RedisLink source, RedisLink targetReads, ServerProfile targetProfile, PolicySpec policies,
                 PairStrategy strategy, Set<DataType> types) {
        this.sourceName = sourceName;
        this.source = source;
        this.targetReads = targetReads;
        // EXISTS of many keys: Redis 3.0.3+ and Kvrocks; a cluster would refuse keys of several slots.
        this.groupedExists = !targetProfile.cluster()
                && (targetProfile.kind() == ServerKind.REDIS || targetProfile.kind() == ServerKind.KVROCKS);
        this.policies = policies;
        this.strategy = strategy;
        this.types = types;
    }

    /**
     * Decides every key of a batch; keys outside keys.types get no decision. Two round trips on each side: the
     * types (and the source's TTLs), then what only some keys need: the size of what is copied, the target's TTL
     * where the target has the key (a migration into an empty store asks for none), a target list's length. On
     * Redis and Kvrocks targets the first asks EXISTS of 32 keys at a time, and TYPE only in groups that exist.
     * A key whose name tells its type ({@link TypeGuess}) is not asked its TYPE in the first round: a collection
     * is sized, a string read (up to {@link #EARLY_STRING_BYTES}); a wrong guess answers WRONGTYPE and is asked
     * TYPE in one more round trip.
     */
    BatchCopier.Decided decide(List<BatchCopier.KeyPair> keys) {
        Pipe src = source.pipe();
        Pipe tgt = targetReads.pipe();
        // Taken before the PTTLs are sent: expiries computed from it are never later than the real ones.
        long now = System.currentTimeMillis();
        Typed typed = sendTypes(src, keys);
        int[] existing = groupedExists ? sendExists(tgt, keys) : null;
        if (!groupedExists) {
            keys.forEach(k -> tgt.send(Cmd.TYPE, k.target()));
        }
        src.flush();
        tgt.flush(); // both round trips overlap
        src.awaitReplies();
        typed.settle(src, keys, src.sync());
        List<Object> tgtTypes = groupedExists ? targetTypes(tgt, keys, existing, tgt.sync()) : tgt.sync();

        List<Decision> decisions = new ArrayList<>(keys.size());
        List<byte[]> early = new ArrayList<>(keys.size());
        List<Long> knownSizes = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<Integer> targetLens = new ArrayList<>();
        List<Integer> targetTtls = new ArrayList<>();
        long targetNow = System.currentTimeMillis();
        for (int i = 0; i < keys.size(); i++) {
            BatchCopier.KeyPair k = keys.get(i);
            String typeReply = typed.typeReplies[i];
            DataType type = DataType.fromTypeReply(typeReply);
            if (type != null && types != null && !types.contains(type)) {
                continue;
            }
            String tgtType = Resp.typeName(tgtTypes.get(i), tgt.label(), k.target());
            Decision d = decideKey(k, typeReply, type, typed.pttls[i], tgtType, -1, now);
            decisions.add(d);
            early.add(typed.values[i]);
            boolean copies = d.action() != Action.NONE;
            // A string's read is bounded instead (see read): no STRLEN, and no DUMP, which compresses and checksums.
            boolean sized = copies && type != DataType.STRING;
            knownSizes.add(sized ? typed.sizes[i] : -1);
            sizes.add(sized && typed.sizes[i] < 0 ? src.send(COPIERS.get(type).sizeCommand(), d.sourceKey()) : -1);
            targetLens.add(copies && type == DataType.LIST && d.action() == Action.MERGE ? tgt.send(Cmd.LLEN, d.targetKey()) : -1);
            targetTtls.add(copies && !"none".equals(tgtType) ? tgt.send(Cmd.PTTL, d.targetKey()) : -1);
        }
        src.flush();
        tgt.flush();
        List<Object> sized = sizes.stream().anyMatch(at -> at >= 0) ? src.sync() : List.of();
        List<Object> targetSide = tgt.sync();
        for (int i = 0; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            if (targetTtls.get(i) >= 0) {
                long ttl = Resp.integer(targetSide.get(targetTtls.get(i)), tgt.label(), d.targetKey());
                d = withTargetExpire(d, ttl >= 0 ? targetNow + ttl : -1);
            }
            long size = sizes.get(i) >= 0
                    ? Resp.integer(sized.get(sizes.get(i)), src.label(), d.sourceKey()) : knownSizes.get(i);
            if (size >= 0) {
                long targetLen = targetLens.get(i) < 0 ? 0 : Resp.integer(targetSide.get(targetLens.get(i)), tgt.label(), d.targetKey());
                d = sized(d, size, targetLen);
            }
            decisions.set(i, d);
        }
        return new BatchCopier.Decided(decisions, early);
    }

    /**
     * The first round's source replies of a batch, per key: its TYPE reply, its PTTL, and where its type was
     * guessed, a collection's size (-1 where not) or a string's value (null where not read).
     */
    private final class Typed {
        final String[] typeReplies;
        final long[] pttls;
        final long[] sizes;
        final byte[][] values;
        final DataType[] guessed;
        final int[] typeAt;
        final int[] pttlAt;
        final int[] sizeAt;

        Typed(int n) {
            typeReplies = new String[n];
            pttls = new long[n];
            sizes = new long[n];
            values = new byte[n][];
            guessed = new DataType[n];
            typeAt = new int[n];
            pttlAt = new int[n];
            sizeAt = new int[n];
        }

        /** Reads the first round's replies; asks TYPE of the keys guessed wrong and waits for it. */
        void settle(Pipe src, List<BatchCopier.KeyPair> keys, List<Object> replies) {
            int right = 0;
            List<Integer> wrong = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                byte[] key = keys.get(i).source();
                pttls[i] = Resp.integer(replies.get(pttlAt[i]), src.label(), key);
                sizes[i] = -1;
                if (guessed[i] == null) {
                    typeReplies[i] = Resp.typeName(replies.get(typeAt[i]), src.label(), key);
                    guesses.learn(key, DataType.fromTypeReply(typeReplies[i]));
                } else if (replies.get(sizeAt[i]) instanceof Resp.Error e && e.wrongType()) {
                    typeAt[i] = src.send(Cmd.TYPE, key);
                    wrong.add(i);
                } else {
                    right++;
                    // A missing key answers its size with 0 (a string with ""): its PTTL tells.
                    typeReplies[i] = pttls[i] == -2 ? "none" : guessed[i].wireName();
                    if (pttls[i] != -2) {
                        guesses.learn(key, guessed[i]);
                    }
                    if (guessed[i] != DataType.STRING) {
                        sizes[i] = Resp.integer(replies.get(sizeAt[i]), src.label(), key);
                    } else if (replies.get(sizeAt[i]) instanceof byte[] v && v.length > 0 && v.length <= EARLY_STRING_BYTES) {
                        values[i] = v; // empty (or gone since the PTTL) and longer ones are settled by the read
                    }
                }
            }
            guesses.outcome(right, wrong.size());
            if (!wrong.isEmpty()) {
                List<Object> types = src.sync();
                for (int i : wrong) {
                    typeReplies[i] = Resp.typeName(types.get(typeAt[i]), src.label(), keys.get(i).source());
                    guesses.learn(keys.get(i).source(), DataType.fromTypeReply(typeReplies[i]));
                }
            }
        }
    }

    /**
     * The first round on the source: TYPE and PTTL of every key, or where the type is guessed, PTTL and the size
     * of a collection or the first {@link #EARLY_STRING_BYTES} (and one) of a string.
     */
    private Typed sendTypes(Pipe src, List<BatchCopier.KeyPair> keys) {
        Typed typed = new Typed(keys.size());
        boolean guessing = guesses.guessing();
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i).source();
            DataType guess = guessing ? guesses.guess(key) : null;
            typed.guessed[i] = guess;
            if (typed.guessed[i] == null) {
                typed.typeAt[i] = src.send(Cmd.TYPE, key);
            }
            typed.pttlAt[i] = src.send(Cmd.PTTL, key);
            if (typed.guessed[i] == DataType.STRING) {
                typed.sizeAt[i] = src.send(Cmd.GETRANGE, key, Cmd.ZERO, EARLY_BOUND);
            } else if (typed.guessed[i] != null) {
                typed.sizeAt[i] = src.send(COPIERS.get(typed.guessed[i]).sizeCommand(), key);
            }
        }
        return typed;
    }

    /** Keys per EXISTS of the first round: an empty group needs no TYPE per key. */
    static final int EXISTS_GROUP = 32;
    private static final Object NONE = Resp.ascii("none");

    /** One EXISTS per group of target keys; returns where each group's reply stands. */
    private static int[] sendExists(Pipe tgt, List<BatchCopier.KeyPair> keys) {
        int[] at = new int[(keys.size() + EXISTS_GROUP - 1) / EXISTS_GROUP];
        for (int g = 0; g < at.length; g++) {
            List<BatchCopier.KeyPair> group = keys.subList(g * EXISTS_GROUP, Math.min(keys.size(), (g + 1) * EXISTS_GROUP));
            byte[][] args = new byte[1 + group.size()][];
            args[0] = Cmd.EXISTS;
            for (int i = 0; i < group.size(); i++) {
                args[1 + i] = group.get(i).target();
            }
            at[g] = tgt.send(args);
        }
        return at;
    }

    /**
     * The target's TYPE reply per key: "none" for every key of a group EXISTS found empty, without asking
     * each; the keys of other groups are asked one by one. A migration into an empty store so sends one
     * command per 32 keys to the target while deciding, instead of one per key.
     */
    private static List<Object> targetTypes(Pipe tgt, List<BatchCopier.KeyPair> keys, int[] existsAt, List<Object> exists) {
        List<Object> types = new ArrayList<>(java.util.Collections.nCopies(keys.size(), NONE));
        List<Integer> asked = new ArrayList<>();
        for (int g = 0; g < existsAt.length; g++) {
            if (Resp.integer(exists.get(existsAt[g]), tgt.label(), keys.get(g * EXISTS_GROUP).target()) > 0) {
                for (int i = g * EXISTS_GROUP; i < Math.min(keys.size(), (g + 1) * EXISTS_GROUP); i++) {
                    tgt.send(Cmd.TYPE, keys.get(i).target());
                    asked.add(i);
                }
            }
        }
        if (!asked.isEmpty()) {
            List<Object> replies = tgt.sync();
            for (int j = 0; j < asked.size(); j++) {
                types.set(asked.get(j), replies.get(j));
            }
        }
        return types;
    }

    private static Decision withTargetExpire(Decision d, long targetExpireAt) {
        return new Decision(d.sourceKey(), d.targetKey(), d.type(), d.typeName(), d.action(), d.outcome(),
                d.sourceExpireAt(), targetExpireAt, d.sourceSize(), d.targetLenBefore(), d.chunked(), d.dump());
    }

    private Decision decideKey(BatchCopier.KeyPair k, String typeReply, DataType type, long srcTtl, String tgtTypeReply,
                               long tgtTtl, long now) {
        if ("none".equals(typeReply) || srcTtl == -2) {
            return new Decision(k.source(), k.target(), type, typeReply, Action.NONE, Outcome.EXPIRED, -1, -1, 0, 0, false, false);
        }
        if (type == null) {
            return new Decision(k.source(), k.target(), null, typeReply, Action.NONE, Outcome.UNSUPPORTED, -1, -1, 0, 0, false, false);
        }
        long srcExpire = srcTtl >= 0 ? now + srcTtl : -1;
        if ("none".equals(tgtTypeReply)) {
            return new Decision(k.source(), k.target(), type, typeReply, Action.COPY, Outcome.WRITTEN, srcExpire, -1, 0, 0, false, false);
        }
        long tgtExpire = tgtTtl >= 0 ? now + tgtTtl : -1;
        Action action;
        Outcome outcome;
        if (type != DataType.fromTypeReply(tgtTypeReply)) {
            TypeMismatchPolicy onClash = policies.getTypeMismatch();
            if (onClash == TypeMismatchPolicy.FAIL) {
                throw new CopyFailedException("key " + Keys.show(k.source()) + " of source " + sourceName + " is a "
                        + type.wireName() + " but the target holds a " + tgtTypeReply + " at " + Keys.show(k.target())
                        + " and spec.policies.typeMismatch is Fail; resolve the clash in the target or choose Skip or "
                        + "Overwrite (a changed policy needs --restart)");
            }
            action = onClash == TypeMismatchPolicy.OVERWRITE ? Action.REPLACE : Action.NONE;
            outcome = onClash == TypeMismatchPolicy.OVERWRITE ? Outcome.TYPE_MISMATCH_OVERWRITTEN : Outcome.TYPE_MISMATCH_SKIPPED;
        } else {
            Policy policy = policies.forType(type);
            boolean nothingToFill = policy == Policy.FILL && (type == DataType.STRING || type == DataType.LIST);
            action = switch (policy) {
                case OVERWRITE -> Action.REPLACE;
                case MERGE -> Action.MERGE;
                case FILL -> nothingToFill ? Action.NONE : Action.FILL;
                case SKIP -> Action.NONE;
            };
            outcome = switch (policy) {
                case OVERWRITE -> Outcome.OVERWRITTEN;
                case MERGE -> Outcome.MERGED;
                case FILL -> nothingToFill ? Outcome.SKIPPED : Outcome.FILLED;
                case SKIP -> Outcome.SKIPPED;
            };
        }
        return new Decision(k.source(), k.target(), type, typeReply, action, outcome, srcExpire, tgtExpire, 0, 0, false, false);
    }

    /** A key read whole that holds more than a batch's room (a hash of 1 MiB values, small by its count): in chunks. */
    Decision inChunks(Decision d) {
        return new Decision(d.sourceKey(), d.targetKey(), d.type(), d.typeName(), d.action(), d.outcome(),
                d.sourceExpireAt(), d.targetExpireAt(), d.sourceSize(), d.targetLenBefore(), true, false);
    }

    Decision sized(Decision d, long size, long targetLen) {
        long limit = d.type() == DataType.STRING ? BatchCopier.SMALL_STRING_BYTES : BatchCopier.WHOLE_ELEMENTS;
        boolean small = size <= limit;
        boolean wholeCopy = d.action() == Action.COPY || d.action() == Action.REPLACE;
        // Strings travel as SET: cheaper than DUMP/RESTORE on both servers (DUMP tries to compress every value).
        boolean dump = strategy.dumpRestore() && small && wholeCopy && d.type() != DataType.STRING;
        // A stream is written whole only into an absent key: a merge needs the target's last ID first.
        boolean chunked = !dump && (!small || (d.type() == DataType.STREAM && !wholeCopy));
        return new Decision(d.sourceKey(), d.targetKey(), d.type(), d.typeName(), d.action(), d.outcome(),
                d.sourceExpireAt(), d.targetExpireAt(), size, targetLen, chunked, dump);
    }
}
