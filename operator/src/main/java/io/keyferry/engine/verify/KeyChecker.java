package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.verify.Verifier.KeyRef;
import io.keyferry.engine.verify.Verifier.Member;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks batches of target keys over its own connections (one per source, one to the target), so
 * that several checkers can work side by side: reads every source key that writes a target key,
 * folds what the policies require, and compares the target (whole for small keys, in chunks for big).
 */
final class KeyChecker {
    /** IGNORED: no source that holds the key selects it (keys.types), so it is not checked at all. */
    enum Kind { MATCHED, SKIPPED, EXPIRED, MISMATCH, MISSING, IGNORED }

    record Verdict(Kind kind, String reason) {}

    private static final int SMALL_ELEMENTS = BatchCopier.SMALL_ELEMENTS;
    private static final int SMALL_STRING_BYTES = BatchCopier.SMALL_STRING_BYTES;

    private final List<SourceSpec> specs;
    private final List<RedisLink> sources;
    private final RedisLink target;
    private final boolean targetMultiMember;
    private final PolicySpec policies;
    private final int batchSize;
    private final long toleranceMs;

    KeyChecker(List<SourceSpec> specs, List<RedisLink> sources, RedisLink target, boolean targetMultiMember,
               PolicySpec policies, int batchSize, long toleranceMs) {
        this.specs = specs;
        this.sources = sources;
        this.target = target;
        this.targetMultiMember = targetMultiMember;
        this.policies = policies;
        this.batchSize = batchSize;
        this.toleranceMs = toleranceMs;
    }

    boolean selected(int source, String typeReply) {
        if ("none".equals(typeReply)) {
            return false;
        }
        List<DataType> types = specs.get(source).getKeys().getTypes();
        DataType type = DataType.fromTypeReply(typeReply);
        return types == null || types.isEmpty() || type == null || types.contains(type);
    }

    List<Verdict> checkAll(List<KeyRef> refs) {
        List<Verdict> out = new ArrayList<>(refs.size());
        for (int from = 0; from < refs.size(); from += batchSize) {
            out.addAll(check(refs.subList(from, Math.min(refs.size(), from + batchSize))));
        }
        return out;
    }

    /** What one member of a chain held when read. */
    private record Read(Member member, DataType type, String typeReply, long expireAt, Object value) {
        boolean small() {
            return value != null;
        }
    }

    List<Verdict> check(List<KeyRef> refs) {
        long now = System.currentTimeMillis();
        List<List<RedisFuture<String>>> types = new ArrayList<>();
        List<List<RedisFuture<Long>>> ttls = new ArrayList<>();
        List<RedisFuture<String>> targetTypes = new ArrayList<>();
        List<RedisFuture<Long>> targetTtls = new ArrayList<>();
        for (KeyRef ref : refs) {
            List<RedisFuture<String>> t = new ArrayList<>();
            List<RedisFuture<Long>> p = new ArrayList<>();
            for (Member m : ref.members()) {
                t.add(src(m).type(m.key()));
                p.add(src(m).pttl(m.key()));
            }
            types.add(t);
            ttls.add(p);
            targetTypes.add(target.async().type(ref.targetKey()));
            targetTtls.add(target.async().pttl(ref.targetKey()));
        }
        target.flush(); // both sides' round trips overlap
        syncAll(types, ttls);
        target.sync(RedisLink.concat(targetTypes, targetTtls));
        List<List<Read>> reads = read(refs, types, ttls, now);
        TargetCheck contents = new TargetCheck(target, targetMultiMember);
        List<Verdict> verdicts = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            String targetType = RedisLink.await(targetTypes.get(k));
            long targetTtl = RedisLink.await(targetTtls.get(k));
            Verdict v = precheck(refs.get(k), reads.get(k), targetType, targetTtl >= 0 ? now + targetTtl : -1);
            if (v == null) {
                Pending p = expect(reads.get(k), DataType.fromTypeReply(targetType), targetTtl >= 0 ? now + targetTtl : -1, k);
                contents.add(refs.get(k).targetKey(), p.expectation());
                if (p.exact() != null) {
                    contents.add(refs.get(k).targetKey(), p.exact());
                }
                pending.add(p);
            }
            verdicts.add(v);
        }
        java.util.Iterator<String> differences = contents.run().iterator();
        for (Pending p : pending) {
            String difference = differences.next();
            String exactDifference = p.exact() == null ? null : differences.next();
            verdicts.set(p.index(), p.verdict(difference, exactDifference));
        }
        return verdicts;
    }

    /**
     * A key whose content is compared: against what the chain requires, and against the last source's
     * exact value, which tells a key Skip left alone (skipped) from one that matches.
     */
    private record Pending(int index, Expectation expectation, Expectation exact, String ttlDifference) {
        Verdict verdict(String difference, String exactDifference) {
            if (difference != null) {
                return new Verdict(Kind.MISMATCH, difference);
            }
            if (expectation.shape == Expectation.Shape.EXISTS && (exact == null || exactDifference != null)) {
                return new Verdict(Kind.SKIPPED, "differs from the source, left by policy");
            }
            return ttlDifference == null ? new Verdict(Kind.MATCHED, null) : new Verdict(Kind.MISMATCH, ttlDifference);
        }
    }

    private void syncAll(List<List<RedisFuture<String>>> types, List<List<RedisFuture<Long>>> ttls) {
        List<RedisFuture<?>> all = new ArrayList<>();
        types.forEach(all::addAll);
        ttls.forEach(all::addAll);
        sources.forEach(RedisLink::flush);
        for (RedisFuture<?> f : all) {
            RedisLink.await(f);
        }
    }

    /**
     * Reads every member with one bounded command: a small key comes back whole, a big one is known
     * by its reply overflowing the bound (and is then compared chunk by chunk), so no key is sized first.
     */
    private List<List<Read>> read(List<KeyRef> refs, List<List<RedisFuture<String>>> types,
                                  List<List<RedisFuture<Long>>> ttls, long now) {
        List<List<RedisFuture<?>>> values = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            List<RedisFuture<?>> v = new ArrayList<>();
            for (int m = 0; m < refs.get(k).members().size(); m++) {
                Member member = refs.get(k).members().get(m);
                DataType type = DataType.fromTypeReply(RedisLink.await(types.get(k).get(m)));
                v.add(type == null ? null : boundedRead(src(member), type, member.key()));
            }
            values.add(v);
        }
        flushAndAwait(values);
        List<List<Read>> out = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            List<Read> r = new ArrayList<>();
            for (int m = 0; m < refs.get(k).members().size(); m++) {
                Member member = refs.get(k).members().get(m);
                String typeReply = RedisLink.await(types.get(k).get(m));
                DataType type = DataType.fromTypeReply(typeReply);
                long pttl = RedisLink.await(ttls.get(k).get(m));
                RedisFuture<?> value = values.get(k).get(m);
                r.add(new Read(member, type, typeReply, pttl >= 0 ? now + pttl : -1,
                        value == null ? null : whole(type, value, member)));
            }
            out.add(r);
        }
        return out;
    }

    /** The whole value in canonical form, or null where the bounded read shows a big key. */
    private Object whole(DataType type, RedisFuture<?> value, Member member) {
        try {
            Object reply = RedisLink.await(value);
            Object complete = switch (type) {
                case STRING -> ((byte[]) reply).length <= SMALL_STRING_BYTES ? reply : null;
                case LIST, STREAM -> ((List<?>) reply).size() <= SMALL_ELEMENTS ? reply : null;
                case HASH -> ((MapScanCursor<?, ?>) reply).isFinished() ? ((MapScanCursor<?, ?>) reply).getMap() : null;
                case SET -> ((ValueScanCursor<?>) reply).isFinished() ? ((ValueScanCursor<?>) reply).getValues() : null;
                case ZSET -> ((ScoredValueScanCursor<?>) reply).isFinished() ? ((ScoredValueScanCursor<?>) reply).getValues() : null;
            };
            if (complete == null) {
                return null;
            }
            if (type == DataType.STREAM) {
                return new SourceValue.StreamValue(castEntries(complete),
                        io.keyferry.engine.redis.StreamInfo.groups(sources.get(member.source()), member.key()));
            }
            return SourceValue.canonical(type, complete);
        } catch (io.lettuce.core.RedisCommandExecutionException changedType) {
            return null; // the key changed type since TYPE: checked chunk by chunk as it is now
        }
    }

    private static RedisFuture<?> boundedRead(RedisClusterAsyncCommands<byte[], byte[]> s, DataType type, byte[] key) {
        ScanArgs all = ScanArgs.Builder.limit(SMALL_ELEMENTS);
        return switch (type) {
            case STRING -> s.getrange(key, 0, SMALL_STRING_BYTES);
            case HASH -> s.hscan(key, ScanCursor.INITIAL, all);
            case SET -> s.sscan(key, ScanCursor.INITIAL, all);
            case ZSET -> s.zscan(key, ScanCursor.INITIAL, all);
            case LIST -> s.lrange(key, 0, SMALL_ELEMENTS);
            case STREAM -> s.xrange(key, Range.create("-", "+"), Limit.from(SMALL_ELEMENTS + 1));
        };
    }

    @SuppressWarnings("unchecked")
    private static List<io.lettuce.core.StreamMessage<byte[], byte[]>> castEntries(Object reply) {
        return (List<io.lettuce.core.StreamMessage<byte[], byte[]>>) reply;
    }

    /** Everything that can be decided before the target's content is read; null when it must be compared. */
    private Verdict precheck(KeyRef ref, List<Read> reads, String targetTypeReply, long targetExpireAt) {
        if (reads.stream().noneMatch(r -> selected(r.member().source(), r.typeReply()))
                && reads.stream().anyMatch(r -> r.type() != null)) {
            return new Verdict(Kind.IGNORED, null);
        }
        List<Read> live = live(reads);
        if (live.isEmpty()) {
            boolean gone = reads.stream().allMatch(r -> "none".equals(r.typeReply()));
            return gone ? new Verdict(Kind.EXPIRED, "gone from the source") : new Verdict(Kind.SKIPPED, "type KeyFerry does not copy");
        }
        DataType targetType = DataType.fromTypeReply(targetTypeReply);
        if ("none".equals(targetTypeReply)) {
            long now = System.currentTimeMillis();
            boolean expiring = live.stream().allMatch(r -> r.expireAt() >= 0 && r.expireAt() <= now + toleranceMs);
            return expiring ? new Verdict(Kind.EXPIRED, "expired") : new Verdict(Kind.MISSING, "missing in target");
        }
        if (live.stream().anyMatch(r -> !r.small())) {
            return bigKey(ref, live, targetType, targetTypeReply, targetExpireAt);
        }
        Expectation e = fold(live, targetType);
        if (e == null) {
            return policies.getTypeMismatch() == TypeMismatchPolicy.FAIL
                    ? new Verdict(Kind.MISMATCH, "type differs: target " + targetTypeReply + ", source " + live.get(0).typeReply())
                    : new Verdict(Kind.SKIPPED, "type clash left by typeMismatch Skip");
        }
        if (e.type != targetType) {
            return new Verdict(Kind.MISMATCH, "type differs: expected " + e.type.wireName() + ", target " + targetTypeReply);
        }
        return null;
    }

    /** The members that hold a key of a type KeyFerry copies and that their source selects. */
    private List<Read> live(List<Read> reads) {
        return reads.stream().filter(r -> r.type() != null && selected(r.member().source(), r.typeReply())).toList();
    }

    private Pending expect(List<Read> reads, DataType targetType, long targetExpireAt, int index) {
        List<Read> live = live(reads);
        Expectation e = fold(live, targetType);
        Read last = live.get(live.size() - 1);
        Expectation exact = null;
        if (e.shape == Expectation.Shape.EXISTS && last.type() == targetType) {
            exact = new Expectation(last.type());
            exact.apply(Policy.OVERWRITE, new SourceValue(last.type(), last.expireAt(), last.value()));
        }
        return new Pending(index, e, exact, e.ttl.check(targetExpireAt, toleranceMs));
    }

    /** A big key: compared chunk by chunk when one source writes it; otherwise only its type is checked. */
    private Verdict bigKey(KeyRef ref, List<Read> live, DataType targetType, String targetTypeReply, long targetExpireAt) {
        Read last = live.get(live.size() - 1);
        if (live.size() > 1) {
            return last.type() == targetType || policies.getTypeMismatch() != TypeMismatchPolicy.OVERWRITE
                    ? new Verdict(Kind.MATCHED, null)
                    : new Verdict(Kind.MISMATCH, "type differs: expected " + last.type().wireName() + ", target " + targetTypeReply);
        }
        if (last.type() != targetType) {
            return policies.getTypeMismatch() == TypeMismatchPolicy.OVERWRITE
                    ? new Verdict(Kind.MISMATCH, "type differs: expected " + last.type().wireName() + ", target " + targetTypeReply)
                    : new Verdict(Kind.SKIPPED, "type clash left by typeMismatch Skip");
        }
        Policy policy = policies.forType(last.type());
        String difference = new ChunkedCheck(sources.get(last.member().source()), target, targetMultiMember)
                .difference(last.type(), policy, last.member().key(), ref.targetKey());
        if (difference != null) {
            return new Verdict(policy == Policy.SKIP ? Kind.SKIPPED : Kind.MISMATCH, difference);
        }
        Expectation ttlOnly = new Expectation(last.type());
        ttlOnly.ttl = policy == Policy.OVERWRITE ? TtlRule.exactly(last.expireAt())
                : policy == Policy.SKIP || (policy == Policy.FILL && (last.type() == DataType.STRING || last.type() == DataType.LIST))
                ? TtlRule.ANY : TtlRule.ANY.merge(last.expireAt());
        String ttl = ttlOnly.ttl.check(targetExpireAt, toleranceMs);
        return ttl == null ? new Verdict(Kind.MATCHED, null) : new Verdict(Kind.MISMATCH, ttl);
    }

    /**
     * Folds the chain in list order: a member whose type differs from what the target holds was
     * skipped by the copy (typeMismatch Skip or Fail) or replaced what was there (Overwrite).
     */
    private Expectation fold(List<Read> chain, DataType targetType) {
        Expectation e = null;
        boolean replaceOnClash = policies.getTypeMismatch() == TypeMismatchPolicy.OVERWRITE;
        for (Read r : chain) {
            SourceValue value = new SourceValue(r.type(), r.expireAt(), r.value());
            boolean clash = e == null ? r.type() != targetType : r.type() != e.type;
            if (clash && !replaceOnClash) {
                continue;
            }
            if (e == null || clash) {
                e = new Expectation(r.type());
                e.apply(clash ? Policy.OVERWRITE : policies.forType(r.type()), value);
                if (!clash && policies.forType(r.type()) == Policy.SKIP) {
                    e.shape = Expectation.Shape.EXISTS;
                }
            } else {
                e.apply(policies.forType(r.type()), value);
            }
        }
        return e;
    }

    private RedisClusterAsyncCommands<byte[], byte[]> src(Member m) {
        return sources.get(m.source()).async();
    }

    private <T extends RedisFuture<?>> void flushAndAwait(List<List<T>> futures) {
        sources.forEach(RedisLink::flush);
        for (List<T> l : futures) {
            for (T f : l) {
                if (f != null) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    } catch (java.util.concurrent.ExecutionException ignored) {
                        // a key that changed type meanwhile: read again as it is in the next round
                    }
                }
            }
        }
    }

}
