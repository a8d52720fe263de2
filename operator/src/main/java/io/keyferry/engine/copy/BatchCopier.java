package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Copies one batch of keys from one source: first decides every key against the target as it is
 * (nothing written yet), then reads the small keys in one pipeline and writes them in another, then
 * copies the big keys one by one in chunks.
 */
public final class BatchCopier {
    /** Collections up to this many elements are read whole; larger ones in chunks (copy and verification). */
    public static final int SMALL_ELEMENTS = 512;
    /** Strings up to this many bytes are read whole. */
    public static final int SMALL_STRING_BYTES = 512 * 1024;
    /**
     * A string whose name tells its type is read while it is decided, up to this many bytes: the value comes with
     * its PTTL and no TYPE is asked. Longer ones are read again with the other keys (bounded, so the decided
     * batch waiting for its read holds little).
     */
    static final int EARLY_STRING_BYTES = 16 * 1024;
    private static final byte[] EARLY_BOUND = Resp.num(EARLY_STRING_BYTES);

    private static final Map<DataType, TypeCopier> COPIERS = new EnumMap<>(Map.of(
            DataType.STRING, new StringCopier(), DataType.HASH, new HashCopier(), DataType.LIST, new ListCopier(),
            DataType.SET, new SetCopier(), DataType.ZSET, new ZSetCopier(), DataType.STREAM, new StreamCopier(false)));
    /** The copiers of this pair of stores: streams with or without their consumer groups. */
    private final Map<DataType, TypeCopier> copiers = new EnumMap<>(COPIERS);

    private final String sourceName;
    private final RedisLink source;
    private final RedisLink targetReads;
    private final RedisLink sourceValues;
    private final RedisLink sourceChunks;
    private final TargetWriter target;
    private final PolicySpec policies;
    private final PairStrategy strategy;
    private final Set<DataType> types;
    private final boolean groupedExists;
    /** Used by the thread that decides. */
    private final TypeGuess guesses = new TypeGuess();
    /** Where the target keys' prior states go before they are first changed; null without spec.undo. */
    private io.keyferry.engine.undo.UndoJournal undo;
    private ListBases listBases;

    /**
     * The connections of one source's copy. A batch is decided ({@link #decide}), read ({@link #read}) and
     * written ({@link #write}) by three threads at once, each working on another batch, so each has its own:
     * deciding a source and a target connection, reading a source connection, writing a target connection
     * and a source connection for the chunks of big keys. One thread may also use the same for all.
     */
    public record Links(RedisLink source, RedisLink targetReads, RedisLink sourceValues, RedisLink sourceChunks,
                        RedisLink target) {
        /** One source and one target connection for everything, used by one thread. */
        public Links(RedisLink source, RedisLink target) {
            this(source, target, source, source, target);
        }
    }

    /**
     * @param rawTarget opens a bare connection to the target (for a key), for streaming big strings
     * @param types     the source's keys.types filter, or null for every type
     */
    public BatchCopier(String sourceName, Links links, ServerProfile targetProfile, Function<byte[], RespConnection> rawTarget,
                       PolicySpec policies, PairStrategy strategy, Set<DataType> types) {
        this.sourceName = sourceName;
        this.source = links.source();
        this.targetReads = links.targetReads();
        this.sourceValues = links.sourceValues();
        this.sourceChunks = links.sourceChunks();
        this.target = new TargetWriter(links.target(), targetProfile, rawTarget);
        // EXISTS of many keys: Redis 3.0.3+ and Kvrocks; a cluster would refuse keys of several slots.
        this.groupedExists = !targetProfile.cluster()
                && (targetProfile.kind() == ServerKind.REDIS || targetProfile.kind() == ServerKind.KVROCKS);
        this.policies = policies;
        this.strategy = strategy;
        this.copiers.put(DataType.STREAM, new StreamCopier(strategy.consumerGroups()));
        this.types = types;
    }

    /**
     * Records in {@code journal} every target key's prior state before this copier first changes it
     * ({@link #recordPrior}): every write path of this copier records first.
     */
    public BatchCopier journaling(io.keyferry.engine.undo.UndoJournal journal) {
        this.undo = journal;
        return this;
    }

    /** Records where each merged list's sources' part begins ({@link ListBases}) before the first append to it. */
    public BatchCopier keepingListBases(ListBases bases) {
        this.listBases = bases;
        return this;
    }

    /**
     * Records the prior state of every key the batch changes, durably, before any of its writes is sent (the undo
     * journal; nothing without one), and the bases of the lists it appends to (with {@link #keepingListBases}). A
     * journal over spec.undo.maxBytes throws, and nothing of the batch is written.
     */
    void recordPrior(List<Decision> decisions) {
        if (listBases != null) {
            listBases.record(decisions);
        }
        if (undo == null) {
            return;
        }
        List<byte[]> changing = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        for (Decision d : decisions) {
            if (d.action() != Action.NONE) {
                changing.add(d.targetKey());
                types.add(d.type());
            }
        }
        if (!changing.isEmpty()) {
            undo.record(changing, types, target.link().pipe(), target.profile());
        }
    }

    /** Source and target key names of one scanned key. */
    public record KeyPair(byte[] source, byte[] target) {}

    /**
     * Decides every key of a batch; keys outside keys.types get no decision. Two round trips on each side: the
     * types (and the source's TTLs), then what only some keys need: the size of what is copied, the target's TTL
     * where the target has the key (a migration into an empty store asks for none), a target list's length. On
     * Redis and Kvrocks targets the first asks EXISTS of 32 keys at a time, and TYPE only in groups that exist.
     * A key whose name tells its type ({@link TypeGuess}) is not asked its TYPE in the first round: a collection
     * is sized, a string read (up to {@link #EARLY_STRING_BYTES}); a wrong guess answers WRONGTYPE and is asked
     * TYPE in one more round trip.
     */
    public Decided decide(List<KeyPair> keys) {
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
            KeyPair k = keys.get(i);
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
        return new Decided(decisions, early);
    }

    /**
     * A batch decided: its decisions, and by their side the strings read while deciding (null for a key read
     * with the others in {@link #read}).
     */
    public record Decided(List<Decision> decisions, List<byte[]> values) {
        /** Decisions made earlier (a journaled batch, a repair): every value is read in {@link #read}. */
        public static Decided of(List<Decision> decisions) {
            return new Decided(decisions, java.util.Collections.nCopies(decisions.size(), null));
        }
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
        void settle(Pipe src, List<KeyPair> keys, List<Object> replies) {
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
    private Typed sendTypes(Pipe src, List<KeyPair> keys) {
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
    private static int[] sendExists(Pipe tgt, List<KeyPair> keys) {
        int[] at = new int[(keys.size() + EXISTS_GROUP - 1) / EXISTS_GROUP];
        for (int g = 0; g < at.length; g++) {
            List<KeyPair> group = keys.subList(g * EXISTS_GROUP, Math.min(keys.size(), (g + 1) * EXISTS_GROUP));
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
    private static List<Object> targetTypes(Pipe tgt, List<KeyPair> keys, int[] existsAt, List<Object> exists) {
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

    private Decision decideKey(KeyPair k, String typeReply, DataType type, long srcTtl, String tgtTypeReply,
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

    private Decision sized(Decision d, long size, long targetLen) {
        long limit = d.type() == DataType.STRING ? SMALL_STRING_BYTES : SMALL_ELEMENTS;
        boolean small = size <= limit;
        boolean wholeCopy = d.action() == Action.COPY || d.action() == Action.REPLACE;
        // Strings travel as SET: cheaper than DUMP/RESTORE on both servers (DUMP tries to compress every value).
        boolean dump = strategy.dumpRestore() && small && wholeCopy && d.type() != DataType.STRING;
        boolean chunked = !dump && (!small || d.type() == DataType.STREAM);
        return new Decision(d.sourceKey(), d.targetKey(), d.type(), d.typeName(), d.action(), d.outcome(),
                d.sourceExpireAt(), d.targetExpireAt(), size, targetLen, chunked, dump);
    }

    /**
     * A batch decided and read, ready to be written.
     *
     * @param values the whole values (or DUMP payloads) of {@code whole}, in order; null where the key vanished
     */
    public record Prepared(List<Decision> decisions, List<Decision> whole, List<Object> values, List<Decision> chunked,
                           boolean replay) {}

    /** Carries out decisions made earlier on this thread. */
    public Counters execute(List<Decision> decisions, boolean replay, List<String> unsupported) {
        return write(read(Decided.of(decisions), replay), unsupported);
    }

    /**
     * Reads the small keys of a batch whole, in one pipeline, but for the strings read while deciding; big keys
     * are left for {@link #write}.
     *
     * @param replay the batch was in flight when an earlier run stopped: some of it may be written
     */
    public Prepared read(Decided batch, boolean replay) {
        List<Decision> whole = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<Decision> chunked = new ArrayList<>();
        for (int i = 0; i < batch.decisions().size(); i++) {
            Decision d = batch.decisions().get(i);
            if (d.action() == Action.NONE) {
                continue;
            }
            if (d.chunked() || (replay && d.type() == DataType.LIST && d.action() != Action.REPLACE)) {
                chunked.add(d); // a list append must know what an interrupted run already appended
            } else {
                whole.add(d);
                values.add(batch.values().get(i));
            }
        }
        Pipe src = sourceValues.pipe();
        int[] replyAt = new int[whole.size()];
        boolean asked = false;
        for (int i = 0; i < whole.size(); i++) {
            Decision d = whole.get(i);
            replyAt[i] = values.get(i) != null ? -1
                    : d.dump() ? src.send(Cmd.DUMP, d.sourceKey()) : COPIERS.get(d.type()).readWhole(src, d.sourceKey());
            asked |= replyAt[i] >= 0;
        }
        List<Object> replies = asked ? src.sync() : List.of();
        for (int i = 0; i < whole.size(); i++) {
            if (replyAt[i] >= 0) {
                values.set(i, readValue(replies.get(replyAt[i]), whole.get(i)));
            }
        }
        return boundedStrings(new Prepared(batch.decisions(), whole, values, chunked, replay));
    }

    /**
     * Settles the strings read whole, with a bounded GETRANGE ({@link StringCopier#readWhole}), in one more
     * round trip where any needs it: a reply
     * that overflowed the bound is a big string, sized with STRLEN and moved to the chunked copy (its decision
     * changed before the batch is journaled); an empty reply is an empty string only if the key still exists
     * (GETRANGE answers "" for a missing key too).
     */
    private Prepared boundedStrings(Prepared batch) {
        Pipe src = sourceValues.pipe();
        List<Integer> big = new ArrayList<>();
        List<Integer> empty = new ArrayList<>();
        Map<Integer, Integer> replyAt = new java.util.HashMap<>(); // a string's place in the batch to its reply's
        for (int i = 0; i < batch.whole().size(); i++) {
            Decision d = batch.whole().get(i);
            if (d.type() == DataType.STRING && !d.dump() && batch.values().get(i) instanceof byte[] v) {
                if (v.length > SMALL_STRING_BYTES) {
                    big.add(i);
                    replyAt.put(i, src.send(Cmd.STRLEN, d.sourceKey()));
                } else if (v.length == 0) {
                    empty.add(i);
                    replyAt.put(i, src.send(Cmd.EXISTS, d.sourceKey()));
                }
            }
        }
        if (replyAt.isEmpty()) {
            return batch;
        }
        List<Object> replies = src.sync();
        List<Object> values = new ArrayList<>(batch.values());
        for (int i : empty) {
            Decision d = batch.whole().get(i);
            if (Resp.integer(replies.get(replyAt.get(i)), src.label(), d.sourceKey()) == 0) {
                values.set(i, null); // gone between TYPE and the read
            }
        }
        if (big.isEmpty()) {
            return new Prepared(batch.decisions(), batch.whole(), values, batch.chunked(), batch.replay());
        }
        Map<Decision, Decision> resized = new java.util.IdentityHashMap<>();
        for (int i : big) {
            Decision d = batch.whole().get(i);
            resized.put(d, sized(d, Resp.integer(replies.get(replyAt.get(i)), src.label(), d.sourceKey()), 0));
        }
        List<Decision> whole = new ArrayList<>();
        List<Object> wholeValues = new ArrayList<>();
        List<Decision> chunked = new ArrayList<>(batch.chunked());
        for (int i = 0; i < batch.whole().size(); i++) {
            Decision d = batch.whole().get(i);
            if (resized.containsKey(d)) {
                chunked.add(resized.get(d));
            } else {
                whole.add(d);
                wholeValues.add(values.get(i));
            }
        }
        List<Decision> decisions = new ArrayList<>(batch.decisions().size());
        batch.decisions().forEach(d -> decisions.add(resized.getOrDefault(d, d)));
        return new Prepared(decisions, whole, wholeValues, chunked, batch.replay());
    }

    /** Counts the keys of a batch that nothing is written for (skipped, unsupported); lists the unsupported. */
    Counters countUnwritten(Prepared batch, List<String> unsupported) {
        Counters counters = new Counters();
        for (Decision d : batch.decisions()) {
            if (d.action() == Action.NONE) {
                counters.add(d.type(), d.outcome());
                if (d.outcome() == Outcome.UNSUPPORTED) {
                    unsupported.add(sourceName + ": " + Keys.show(d.sourceKey()) + " (" + d.typeName() + ")");
                }
            }
        }
        return counters;
    }

    TargetWriter target() {
        return target;
    }

    /** Writes a prepared batch to the target and counts every key's outcome. */
    public Counters write(Prepared batch, List<String> unsupported) {
        recordPrior(batch.decisions());
        Counters counters = countUnwritten(batch, unsupported);
        queueWhole(batch.whole(), batch.values(), counters);
        target.sync();
        for (Decision d : batch.chunked()) {
            copyChunked(d, batch.replay(), counters);
        }
        return counters;
    }

    /** Queues the writes of small keys read whole; the caller syncs them (or sends them as one transaction). */
    void queueWhole(List<Decision> decisions, List<Object> values, Counters counters) {
        for (int i = 0; i < decisions.size(); i++) {
            // Per key, just before it is queued: a TTL is sent relative, so the clock is read as late as possible.
            long now = System.currentTimeMillis();
            Decision d = decisions.get(i);
            Object value = values.get(i);
            if (value == null || (!d.dump() && COPIERS.get(d.type()).isEmpty(value))) {
                counters.add(d.type(), Outcome.EXPIRED); // gone between TYPE and the read: nothing to copy
                continue;
            }
            if (d.dump()) {
                if (!restore(d, (byte[]) value, now)) {
                    counters.add(d.type(), Outcome.EXPIRED);
                    continue;
                }
                counters.addBytes(((byte[]) value).length);
            } else {
                TypeCopier copier = COPIERS.get(d.type());
                if (d.action() == Action.REPLACE) {
                    target.delete(d.targetKey());
                }
                copier.writeWhole(target, d, value, now);
                counters.addBytes(copier.payloadBytes(value));
            }
            counters.add(d.type(), d.outcome());
        }
    }

    /** A read that failed because the key changed type meanwhile counts as gone, like an expired key. */
    private Object readValue(Object reply, Decision d) {
        if (reply instanceof Resp.Error e) {
            if (e.wrongType()) {
                return null;
            }
            throw new CopyFailedException(sourceValues.label() + ": reading key " + Keys.show(d.sourceKey()) + " failed: "
                    + e.message());
        }
        boolean string = d.dump() || d.type() == DataType.STRING;
        if (reply != null && (string ? !(reply instanceof byte[]) : !(reply instanceof List<?> items) || !flatStrings(items, d.type()))) {
            throw new CopyFailedException(sourceValues.label() + ": reading key " + Keys.show(d.sourceKey()) + " ("
                    + d.type().wireName() + ") got " + Resp.describe(reply) + ", not what its command gives; nothing of it"
                    + " was written");
        }
        return reply;
    }

    /** A whole collection as read: strings, or for a stream its entries, [id, [field, value, ...]]. */
    private static boolean flatStrings(List<?> items, DataType type) {
        for (Object item : items) {
            if (type == DataType.STREAM ? !(item instanceof List<?> entry) || entry.size() != 2
                    || !(entry.get(0) instanceof byte[]) || !(entry.get(1) instanceof List<?> body)
                    || !flatStrings(body, DataType.STRING) : !(item instanceof byte[])) {
                return false;
            }
        }
        return true;
    }

    private boolean restore(Decision d, byte[] payload, long now) {
        long ttl = 0;
        if (d.sourceExpireAt() >= 0) {
            ttl = d.sourceExpireAt() - now;
            if (ttl <= 0) {
                return false;
            }
        }
        // REPLACE also for a key that was absent: anything there now was written by an interrupted run of this batch.
        target.send(d.targetKey(), Cmd.RESTORE, d.targetKey(), Resp.num(ttl), payload, Cmd.REPLACE);
        return true;
    }

    void copyChunked(Decision d, boolean replay, Counters counters) {
        if (d.action() == Action.REPLACE) {
            target.delete(d.targetKey());
        }
        long bytes = copiers.get(d.type()).copyChunked(sourceChunks, target, d, replay);
        target.applyTtl(d, System.currentTimeMillis());
        target.sync();
        counters.addBytes(bytes);
        counters.add(d.type(), d.outcome());
    }

}
