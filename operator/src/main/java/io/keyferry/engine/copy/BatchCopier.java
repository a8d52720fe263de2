package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RawConnection;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
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

    private static final Map<DataType, TypeCopier> COPIERS = new EnumMap<>(Map.of(
            DataType.STRING, new StringCopier(), DataType.HASH, new HashCopier(), DataType.LIST, new ListCopier(),
            DataType.SET, new SetCopier(), DataType.ZSET, new ZSetCopier(), DataType.STREAM, new StreamCopier()));

    private final String sourceName;
    private final RedisLink source;
    private final RedisLink targetReads;
    private final RedisLink sourceChunks;
    private final TargetWriter target;
    private final PolicySpec policies;
    private final PairStrategy strategy;
    private final Set<DataType> types;

    /**
     * The connections of one source's copy. Deciding and reading a batch ({@link #decide}, {@link #read})
     * may run on one thread while the previous batch is written ({@link #write}) on another, so each side
     * has its own: the reading side a source and a target connection, the writing side a target connection
     * and a source connection for the chunks of big keys. One thread may also use the same for both.
     */
    public record Links(RedisLink source, RedisLink targetReads, RedisLink sourceChunks, RedisLink target) {}

    /**
     * @param rawTarget opens a bare connection to the target (for a key), for streaming big strings
     * @param types     the source's keys.types filter, or null for every type
     */
    public BatchCopier(String sourceName, Links links, ServerProfile targetProfile, Function<byte[], RawConnection> rawTarget,
                       PolicySpec policies, PairStrategy strategy, Set<DataType> types) {
        this.sourceName = sourceName;
        this.source = links.source();
        this.targetReads = links.targetReads();
        this.sourceChunks = links.sourceChunks();
        this.target = new TargetWriter(links.target(), targetProfile, rawTarget);
        this.policies = policies;
        this.strategy = strategy;
        this.types = types;
    }

    /** Source and target key names of one scanned key. */
    public record KeyPair(byte[] source, byte[] target) {}

    /**
     * Decides every key of a batch; keys outside keys.types get no decision. Two round trips on each side: the
     * types (and the source's TTLs), then what only some keys need: the size of what is copied, the target's TTL
     * where the target has the key (a migration into an empty store asks for none), a target list's length.
     */
    public List<Decision> decide(List<KeyPair> keys) {
        RedisClusterAsyncCommands<byte[], byte[]> src = source.async();
        RedisClusterAsyncCommands<byte[], byte[]> tgt = targetReads.async();
        List<RedisFuture<String>> srcTypes = new ArrayList<>(keys.size());
        List<RedisFuture<Long>> srcTtls = new ArrayList<>(keys.size());
        List<RedisFuture<String>> tgtTypes = new ArrayList<>(keys.size());
        // Taken before the PTTLs are sent: expiries computed from it are never later than the real ones.
        long now = System.currentTimeMillis();
        for (KeyPair k : keys) {
            srcTypes.add(src.type(k.source()));
            srcTtls.add(src.pttl(k.source()));
            tgtTypes.add(tgt.type(k.target()));
        }
        source.flush();
        targetReads.flush();
        source.sync(RedisLink.concat(srcTypes, srcTtls));
        targetReads.sync(tgtTypes);

        List<Decision> decisions = new ArrayList<>(keys.size());
        List<RedisFuture<Long>> sizes = new ArrayList<>();
        List<RedisFuture<Long>> targetLens = new ArrayList<>();
        List<RedisFuture<Long>> targetTtls = new ArrayList<>();
        long targetNow = System.currentTimeMillis();
        for (int i = 0; i < keys.size(); i++) {
            String typeReply = RedisLink.await(srcTypes.get(i));
            DataType type = DataType.fromTypeReply(typeReply);
            if (type != null && types != null && !types.contains(type)) {
                continue;
            }
            String tgtType = RedisLink.await(tgtTypes.get(i));
            Decision d = decideKey(keys.get(i), typeReply, type, RedisLink.await(srcTtls.get(i)), tgtType, -1, now);
            decisions.add(d);
            boolean copies = d.action() != Action.NONE;
            sizes.add(copies ? COPIERS.get(type).size(src, d.sourceKey()) : null);
            targetLens.add(copies && type == DataType.LIST && d.action() == Action.MERGE ? tgt.llen(d.targetKey()) : null);
            targetTtls.add(copies && !"none".equals(tgtType) ? tgt.pttl(d.targetKey()) : null);
        }
        source.flush();
        targetReads.flush();
        source.sync(nonNull(sizes));
        targetReads.sync(RedisLink.concat(nonNull(targetLens), nonNull(targetTtls)));
        for (int i = 0; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            if (targetTtls.get(i) != null) {
                long ttl = RedisLink.await(targetTtls.get(i));
                d = withTargetExpire(d, ttl >= 0 ? targetNow + ttl : -1);
            }
            if (sizes.get(i) != null) {
                d = sized(d, RedisLink.await(sizes.get(i)), targetLens.get(i) == null ? 0 : RedisLink.await(targetLens.get(i)));
            }
            decisions.set(i, d);
        }
        return decisions;
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
        boolean dump = strategy.dumpRestore() && small && wholeCopy;
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

    /** Decides and carries out a batch on this thread. */
    public Counters execute(List<Decision> decisions, boolean replay, List<String> unsupported) {
        return write(read(decisions, replay), unsupported);
    }

    /**
     * Reads the small keys of a batch whole, in one pipeline; big keys are left for {@link #write}.
     *
     * @param replay the batch was in flight when an earlier run stopped: some of it may be written
     */
    public Prepared read(List<Decision> decisions, boolean replay) {
        List<Decision> whole = new ArrayList<>();
        List<Decision> chunked = new ArrayList<>();
        for (Decision d : decisions) {
            if (d.action() == Action.NONE) {
                continue;
            }
            if (d.chunked() || (replay && d.type() == DataType.LIST && d.action() != Action.REPLACE)) {
                chunked.add(d); // a list append must know what an interrupted run already appended
            } else {
                whole.add(d);
            }
        }
        List<RedisFuture<?>> reads = new ArrayList<>(whole.size());
        for (Decision d : whole) {
            reads.add(d.dump() ? source.async().dump(d.sourceKey()) : COPIERS.get(d.type()).readWhole(source.async(), d.sourceKey()));
        }
        source.sync(reads);
        List<Object> values = new ArrayList<>(whole.size());
        for (int i = 0; i < whole.size(); i++) {
            values.add(readValue(reads.get(i), whole.get(i)));
        }
        return new Prepared(decisions, whole, values, chunked, replay);
    }

    /** Writes a prepared batch to the target and counts every key's outcome. */
    public Counters write(Prepared batch, List<String> unsupported) {
        Counters counters = new Counters();
        for (Decision d : batch.decisions()) {
            if (d.action() == Action.NONE) {
                counters.add(d.type(), d.outcome());
                if (d.outcome() == Outcome.UNSUPPORTED) {
                    unsupported.add(sourceName + ": " + Keys.show(d.sourceKey()) + " (" + d.typeName() + ")");
                }
            }
        }
        writeWhole(batch.whole(), batch.values(), counters);
        for (Decision d : batch.chunked()) {
            copyChunked(d, batch.replay(), counters);
        }
        return counters;
    }

    private void writeWhole(List<Decision> decisions, List<Object> values, Counters counters) {
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
                copier.writeWhole(target, d, value);
                target.applyTtl(d, now);
                counters.addBytes(copier.payloadBytes(value));
            }
            counters.add(d.type(), d.outcome());
        }
        target.sync();
    }

    /** A read that failed because the key changed type meanwhile counts as gone, like an expired key. */
    private Object readValue(RedisFuture<?> read, Decision d) {
        try {
            return RedisLink.await(read);
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).startsWith("WRONGTYPE")) {
                return null;
            }
            throw new CopyFailedException("reading key " + Keys.show(d.sourceKey()) + " from source " + sourceName
                    + " failed: " + e.getMessage(), e);
        }
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
        target.add(target.cmd().restore(d.targetKey(), payload, RestoreArgs.Builder.ttl(ttl).replace()), d.targetKey());
        return true;
    }

    private void copyChunked(Decision d, boolean replay, Counters counters) {
        if (d.action() == Action.REPLACE) {
            target.delete(d.targetKey());
        }
        long bytes = COPIERS.get(d.type()).copyChunked(sourceChunks, target, d, replay);
        target.applyTtl(d, System.currentTimeMillis());
        target.sync();
        counters.addBytes(bytes);
        counters.add(d.type(), d.outcome());
    }


    private static List<RedisFuture<?>> nonNull(List<? extends RedisFuture<?>> list) {
        List<RedisFuture<?>> out = new ArrayList<>();
        for (RedisFuture<?> f : list) {
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }
}
