package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.KeySelector;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.api.VerifyMode;
import io.keyferry.api.VerifySpec;
import io.keyferry.engine.Progress;
import io.keyferry.engine.ProgressListener;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Glob;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Verifies the target against the sources: every source key (or a sample) is checked once, against
 * what the policies of all the sources that write it require (see {@link Expectation}), TTLs included.
 * Keys that differ are checked again in later rounds, after a pause, so that keys an application is
 * changing at that moment are not reported; only keys that keep differing are.
 */
public final class Verifier {
    /** Copies keys again under the policy: the repair of keys that still differ. */
    public interface Repairer {
        void repair(List<KeyRef> keys);
    }

    /** A target key and the source keys that write it, in list order. */
    public record KeyRef(byte[] targetKey, List<Member> members) {}

    public record Member(int source, byte[] key) {}

    /** IGNORED: no source that holds the key selects it (keys.types), so it is not checked at all. */
    private enum Kind { MATCHED, SKIPPED, EXPIRED, MISMATCH, MISSING, IGNORED }

    private record Verdict(Kind kind, String reason) {}

    private static final int SMALL_ELEMENTS = 512;
    private static final long SMALL_STRING_BYTES = 512 * 1024;
    private static final int RECHECKED_AT_MOST = 100_000;
    private static final int SAMPLES = 100;

    private final List<SourceSpec> specs;
    private final List<RedisLink> sources;
    private final List<ServerProfile> profiles;
    private final RedisLink target;
    private final PolicySpec policies;
    private final VerifySpec verify;
    private final int batchSize;
    private final long toleranceMs;

    public Verifier(List<SourceSpec> specs, List<RedisLink> sources, List<ServerProfile> profiles, RedisLink target,
                    PolicySpec policies, VerifySpec verify, int batchSize) {
        this.specs = specs;
        this.sources = sources;
        this.profiles = profiles;
        this.target = target;
        this.policies = policies;
        this.verify = verify;
        this.batchSize = batchSize;
        this.toleranceMs = verify.getTtlToleranceMs();
    }

    /**
     * @param repairer copies keys that still differ after every round again, or null for no repair
     * @param estimatedKeys for progress: the sources' key count
     */
    public VerifyResult verify(ProgressListener listener, Repairer repairer, long estimatedKeys) {
        long started = System.currentTimeMillis();
        Tally tally = new Tally();
        long[] scanned = {0};
        for (int i = 0; i < sources.size(); i++) {
            int index = i;
            scanSource(i, refs -> {
                List<Verdict> verdicts = check(refs);
                for (int k = 0; k < refs.size(); k++) {
                    tally.first(refs.get(k), verdicts.get(k));
                }
            }, n -> {
                scanned[0] += n;
                listener.onProgress(new Progress("verify " + specs.get(index).getName(), index, sources.size(),
                        scanned[0], estimatedKeys, new Counters(), System.currentTimeMillis() - started, scanned[0]));
            });
        }
        int rounds = 1;
        while (!tally.failing.isEmpty() && rounds < verify.getRounds()) {
            pause();
            rounds++;
            tally.recheck(this);
        }
        if (repairer != null && !tally.failing.isEmpty()) {
            tally.repair(this, repairer);
        }
        return tally.result(rounds, System.currentTimeMillis() - started);
    }

    /** Counts verdicts and keeps the keys to check again. */
    private static final class Tally {
        long checked;
        long matched;
        long skipped;
        long expired;
        long repaired;
        long unrechecked;
        List<KeyRef> failing = new ArrayList<>();
        List<Verdict> reasons = new ArrayList<>();
        final List<VerifyResult.Sample> repairedSamples = new ArrayList<>();

        void first(KeyRef ref, Verdict v) {
            if (v.kind() == Kind.IGNORED) {
                return;
            }
            checked++;
            switch (v.kind()) {
                case MATCHED -> matched++;
                case SKIPPED -> skipped++;
                case EXPIRED -> expired++;
                default -> {
                    if (failing.size() < RECHECKED_AT_MOST) {
                        failing.add(ref);
                        reasons.add(v);
                    } else {
                        unrechecked++; // reported as a mismatch without another round
                    }
                }
            }
        }

        void recheck(Verifier verifier) {
            List<KeyRef> refs = failing;
            List<Verdict> verdicts = verifier.checkAll(refs);
            failing = new ArrayList<>();
            reasons = new ArrayList<>();
            for (int i = 0; i < refs.size(); i++) {
                Verdict v = verdicts.get(i);
                switch (v.kind()) {
                    case MATCHED, IGNORED -> matched++;
                    case SKIPPED -> skipped++;
                    case EXPIRED -> expired++;
                    default -> {
                        failing.add(refs.get(i));
                        reasons.add(v);
                    }
                }
            }
        }

        void repair(Verifier verifier, Repairer repairer) {
            List<KeyRef> before = failing;
            List<Verdict> why = reasons;
            repairer.repair(before);
            recheck(verifier);
            java.util.Set<java.nio.ByteBuffer> still = new java.util.HashSet<>();
            failing.forEach(r -> still.add(java.nio.ByteBuffer.wrap(r.targetKey())));
            for (int i = 0; i < before.size(); i++) {
                if (!still.contains(java.nio.ByteBuffer.wrap(before.get(i).targetKey()))) {
                    repaired++;
                    if (repairedSamples.size() < SAMPLES) {
                        repairedSamples.add(new VerifyResult.Sample(Keys.show(before.get(i).targetKey()),
                                why.get(i).reason(), true));
                    }
                }
            }
        }

        VerifyResult result(int rounds, long elapsed) {
            long missing = reasons.stream().filter(v -> v.kind() == Kind.MISSING).count();
            long mismatches = reasons.size() - missing + unrechecked;
            List<VerifyResult.Sample> samples = new ArrayList<>();
            for (int i = 0; i < failing.size() && samples.size() < SAMPLES; i++) {
                samples.add(new VerifyResult.Sample(Keys.show(failing.get(i).targetKey()), reasons.get(i).reason(), false));
            }
            repairedSamples.stream().limit(SAMPLES - samples.size()).forEach(samples::add);
            return new VerifyResult(checked, matched, skipped, expired, mismatches, missing, repaired, rounds,
                    samples, elapsed);
        }
    }

    private void pause() {
        try {
            Thread.sleep(verify.getRoundPauseSeconds() * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- scanning: which target keys to check, and which sources write each ----

    private void scanSource(int i, java.util.function.Consumer<List<KeyRef>> batch, java.util.function.LongConsumer progress) {
        RedisLink link = sources.get(i);
        KeySelector keys = specs.get(i).getKeys();
        Glob filter = keys.getMatch() == null ? null : new Glob(utf8(keys.getMatch()));
        boolean filterHere = filter != null && profiles.get(i).prefixOnlyMatch() && !filter.isPrefixPattern();
        ScanArgs args = ScanArgs.Builder.limit(batchSize);
        if (filter != null) {
            args.match(filterHere ? Keys.concat(filter.literalPrefix(), new byte[] {'*'}) : utf8(keys.getMatch()));
        }
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<byte[]> page = link.call(link.async().scan(cursor, args));
            List<byte[]> found = new ArrayList<>();
            for (byte[] key : page.getKeys()) {
                if (!filterHere || filter.matches(key)) {
                    found.add(key);
                }
            }
            List<KeyRef> refs = sampled(chains(i, found));
            if (!refs.isEmpty()) {
                batch.accept(refs);
            }
            progress.accept(page.getKeys().size());
            cursor = page;
        } while (!cursor.isFinished());
    }

    /**
     * The sources that write each key's target name. A key is checked while scanning the last of them,
     * so that it is checked once, with every source that wrote it known.
     */
    private List<KeyRef> chains(int i, List<byte[]> keys) {
        byte[] prefix = prefix(i);
        List<List<RedisFuture<String>>> others = new ArrayList<>();
        List<byte[]> targetKeys = new ArrayList<>();
        for (byte[] key : keys) {
            byte[] targetKey = Keys.concat(prefix, key);
            targetKeys.add(targetKey);
            List<RedisFuture<String>> types = new ArrayList<>();
            for (int j = 0; j < sources.size(); j++) {
                byte[] k = j == i ? null : sourceKeyFor(j, targetKey);
                types.add(k == null ? null : sources.get(j).async().type(k));
            }
            others.add(types);
        }
        for (int j = 0; j < sources.size(); j++) {
            if (j != i) {
                int col = j;
                sources.get(j).sync(others.stream().map(t -> t.get(col)).filter(java.util.Objects::nonNull).toList());
            }
        }
        List<KeyRef> refs = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            List<Member> members = new ArrayList<>();
            boolean last = true;
            for (int j = 0; j < sources.size(); j++) {
                if (j == i) {
                    members.add(new Member(i, keys.get(k)));
                    continue;
                }
                RedisFuture<String> type = others.get(k).get(j);
                if (type != null && selected(j, RedisLink.await(type))) {
                    members.add(new Member(j, sourceKeyFor(j, targetKeys.get(k))));
                    last &= j < i;
                }
            }
            if (last) {
                refs.add(new KeyRef(targetKeys.get(k), members));
            }
        }
        return refs;
    }

    private boolean selected(int source, String typeReply) {
        if ("none".equals(typeReply)) {
            return false;
        }
        List<DataType> types = specs.get(source).getKeys().getTypes();
        DataType type = DataType.fromTypeReply(typeReply);
        return types == null || types.isEmpty() || type == null || types.contains(type);
    }

    /** The key of source j that lands on this target name, or null where none can. */
    private byte[] sourceKeyFor(int j, byte[] targetKey) {
        byte[] prefix = prefix(j);
        if (targetKey.length < prefix.length || !Arrays.equals(prefix, 0, prefix.length, targetKey, 0, prefix.length)) {
            return null;
        }
        byte[] key = Arrays.copyOfRange(targetKey, prefix.length, targetKey.length);
        String match = specs.get(j).getKeys().getMatch();
        return match == null || new Glob(utf8(match)).matches(key) ? key : null;
    }

    private List<KeyRef> sampled(List<KeyRef> refs) {
        if (verify.getMode() != VerifyMode.SAMPLE) {
            return refs;
        }
        long threshold = Math.round(verify.getPercent() * 10_000);
        List<KeyRef> out = new ArrayList<>();
        for (KeyRef r : refs) {
            CRC32 crc = new CRC32();
            crc.update(r.targetKey());
            if (crc.getValue() % 1_000_000 < threshold) {
                out.add(r);
            }
        }
        return out;
    }

    // ---- checking ----

    private List<Verdict> checkAll(List<KeyRef> refs) {
        List<Verdict> out = new ArrayList<>(refs.size());
        for (int from = 0; from < refs.size(); from += batchSize) {
            out.addAll(check(refs.subList(from, Math.min(refs.size(), from + batchSize))));
        }
        return out;
    }

    /** What one member of a chain held when read. */
    private record Read(Member member, DataType type, String typeReply, long expireAt, long size, Object value) {
        boolean small() {
            return value != null;
        }
    }

    private List<Verdict> check(List<KeyRef> refs) {
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
        syncAll(types, ttls);
        target.sync(concat(targetTypes, targetTtls));
        List<List<Read>> reads = read(refs, types, ttls, now);
        TargetCheck contents = new TargetCheck(target);
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
            String exactDifference = p.exact() == null ? "type differs" : differences.next();
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
            if (expectation.shape == Expectation.Shape.EXISTS && exactDifference != null) {
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

    /** Sizes every member, then reads the small ones whole. */
    private List<List<Read>> read(List<KeyRef> refs, List<List<RedisFuture<String>>> types,
                                  List<List<RedisFuture<Long>>> ttls, long now) {
        List<List<RedisFuture<Long>>> sizes = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            List<RedisFuture<Long>> s = new ArrayList<>();
            for (int m = 0; m < refs.get(k).members().size(); m++) {
                Member member = refs.get(k).members().get(m);
                DataType type = DataType.fromTypeReply(RedisLink.await(types.get(k).get(m)));
                s.add(type == null ? null : size(src(member), type, member.key()));
            }
            sizes.add(s);
        }
        flushAndAwait(sizes);
        List<List<RedisFuture<?>>> values = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            List<RedisFuture<?>> v = new ArrayList<>();
            for (int m = 0; m < refs.get(k).members().size(); m++) {
                Member member = refs.get(k).members().get(m);
                DataType type = DataType.fromTypeReply(RedisLink.await(types.get(k).get(m)));
                RedisFuture<Long> size = sizes.get(k).get(m);
                boolean small = size != null && RedisLink.await(size) <= (type == DataType.STRING ? SMALL_STRING_BYTES : SMALL_ELEMENTS);
                v.add(small ? readWhole(src(member), type, member.key()) : null);
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
                RedisFuture<Long> size = sizes.get(k).get(m);
                RedisFuture<?> value = values.get(k).get(m);
                Object canonical = value == null ? null : canonical(type, value, member);
                r.add(new Read(member, type, typeReply, pttl >= 0 ? now + pttl : -1,
                        size == null ? 0 : RedisLink.await(size), canonical));
            }
            out.add(r);
        }
        return out;
    }

    private Object canonical(DataType type, RedisFuture<?> value, Member member) {
        try {
            Object reply = RedisLink.await(value);
            if (type == DataType.STREAM) {
                return new SourceValue.StreamValue(castEntries(reply),
                        io.keyferry.engine.redis.StreamInfo.groups(sources.get(member.source()), member.key()));
            }
            return reply == null ? null : SourceValue.canonical(type, reply);
        } catch (io.lettuce.core.RedisCommandExecutionException changedType) {
            return null; // the key changed type since TYPE; the next round sees it as it is
        }
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
        if (last.type() == targetType) {
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
        String difference = new ChunkedCheck(sources.get(last.member().source()), target)
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

    private RedisAsyncCommands<byte[], byte[]> src(Member m) {
        return sources.get(m.source()).async();
    }

    private static RedisFuture<Long> size(RedisAsyncCommands<byte[], byte[]> s, DataType type, byte[] key) {
        return switch (type) {
            case STRING -> s.strlen(key);
            case HASH -> s.hlen(key);
            case LIST -> s.llen(key);
            case SET -> s.scard(key);
            case ZSET -> s.zcard(key);
            case STREAM -> s.xlen(key);
        };
    }

    private static RedisFuture<?> readWhole(RedisAsyncCommands<byte[], byte[]> s, DataType type, byte[] key) {
        return switch (type) {
            case STRING -> s.get(key);
            case HASH -> s.hgetall(key);
            case LIST -> s.lrange(key, 0, -1);
            case SET -> s.smembers(key);
            case ZSET -> s.zrangeWithScores(key, 0, -1);
            case STREAM -> s.xrange(key, Range.create("-", "+"), Limit.from(SMALL_ELEMENTS + 1));
        };
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

    @SafeVarargs
    private static List<RedisFuture<?>> concat(List<? extends RedisFuture<?>>... lists) {
        List<RedisFuture<?>> all = new ArrayList<>();
        for (List<? extends RedisFuture<?>> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private byte[] prefix(int source) {
        String p = specs.get(source).getKeys().getAddPrefix();
        return p == null ? new byte[0] : utf8(p);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
