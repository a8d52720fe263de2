package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.verify.Verifier.KeyRef;
import io.keyferry.engine.verify.Verifier.Member;
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

    private final List<SourceSpec> specs;
    private final List<RedisLink> sources;
    /** What each source's commands allow, in the order of {@link #sources}. */
    private final List<Commands> sourceCommands;
    private final RedisLink target;
    private final Commands targetCommands;
    private final PolicySpec policies;
    private final int batchSize;
    private final long toleranceMs;
    private final SourceReads reads;

    KeyChecker(List<SourceSpec> specs, List<RedisLink> sources, List<Commands> sourceCommands, RedisLink target,
               Commands targetCommands, PolicySpec policies, int batchSize, long toleranceMs) {
        this.specs = specs;
        this.sources = sources;
        this.sourceCommands = sourceCommands;
        this.target = target;
        this.targetCommands = targetCommands;
        this.policies = policies;
        this.batchSize = batchSize;
        this.toleranceMs = toleranceMs;
        // A key one source writes under Overwrite is compared by digest (DigestCheck).
        this.reads = new SourceReads(sources, sourceCommands, type -> policies.forType(type) == Policy.OVERWRITE);
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
    record Read(Member member, DataType type, String typeReply, long expireAt, Object value) {
        boolean small() {
            return value != null;
        }
    }

    /**
     * Checks a batch in two or three round trips: the sources are read (see {@link #read}), then the target is
     * asked everything in one: its PTTL and the reads that compare its content, queued for the type the
     * sources say it must have. Each target key is so looked up once, while it is in the server's cache. Where
     * the first of those reads answers only for a key of that type (HLEN, SCARD, ...), it tells the target's
     * type and no TYPE is asked; a missing key shows in its PTTL, a key of another type as an error, asked its
     * TYPE in one more round trip and compared in another (rare).
     */
    List<Verdict> check(List<KeyRef> refs) {
        return compare(refs, read(refs));
    }

    /**
     * The second half of {@link #check}: the target compared with what {@link #read} found in the sources (by
     * this checker or another). Keys read as digests are compared by digest first ({@link DigestCheck}); those whose
     * digests differ are read again whole, and compared with the rest.
     */
    List<Verdict> compare(List<KeyRef> refs, List<List<Read>> reads) {
        DigestCheck.Outcome checked = DigestCheck.run(target, refs, reads,
                r -> selected(r.member().source(), r.typeReply()), toleranceMs);
        if (!checked.whole().isEmpty()) {
            checked.place(checked.whole(), compareWhole(DigestCheck.pick(refs, checked.whole()),
                    DigestCheck.pick(reads, checked.whole())));
        }
        if (!checked.differ().isEmpty()) { // read again whole, to name the difference (or to see it gone)
            List<KeyRef> again = DigestCheck.pick(refs, checked.differ());
            checked.place(checked.differ(), compareWhole(again, this.reads.read(again, false)));
        }
        return checked.verdicts();
    }

    /** {@link #compare} for reads held whole (no digest among the chains compared). */
    private List<Verdict> compareWhole(List<KeyRef> refs, List<List<Read>> reads) {
        Pipe tgt = target.pipe();
        TargetCheck contents = new TargetCheck(target, targetCommands);
        Folded[] guessed = new Folded[refs.size()];
        int[] typeAt = new int[refs.size()];
        int[] pttlAt = new int[refs.size()];
        int[] typedBy = new int[refs.size()];
        int own = 0; // the commands sent here, beside the content reads
        long targetNow = System.currentTimeMillis(); // before the PTTLs: expiries computed from it are never late
        for (int k = 0; k < refs.size(); k++) {
            byte[] key = refs.get(k).targetKey();
            guessed[k] = guess(reads.get(k));
            pttlAt[k] = tgt.send(Cmd.PTTL, key);
            typedBy[k] = -1;
            if (guessed[k] != null) {
                typedBy[k] = contents.add(key, guessed[k].e());
                if (guessed[k].exact() != null) {
                    contents.add(key, guessed[k].exact());
                }
            }
            typeAt[k] = typedBy[k] < 0 ? tgt.send(Cmd.TYPE, key) : -1;
            own += typedBy[k] < 0 ? 2 : 1;
        }
        List<Object> targetReplies = tgt.sync();
        java.util.Iterator<String> differences = contents.run(targetReplies, own).iterator();
        String[] targetTypes = targetTypes(refs, targetReplies, guessed, typeAt, pttlAt, typedBy);

        List<Verdict> verdicts = new ArrayList<>(refs.size());
        List<Pending> again = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            byte[] key = refs.get(k).targetKey();
            Folded guess = guessed[k];
            String difference = guess == null ? null : differences.next();
            String exactDifference = guess == null || guess.exact() == null ? null : differences.next();
            String targetType = targetTypes[k];
            long targetTtl = Resp.integer(targetReplies.get(pttlAt[k]), tgt.label(), key);
            long targetExpireAt = targetTtl >= 0 ? targetNow + targetTtl : -1;
            boolean guessedRight = guess != null && guess.targetType() == DataType.fromTypeReply(targetType);
            // Big keys are compared here, chunk by chunk, with every pipe idle.
            Verdict v = precheck(refs.get(k), reads.get(k), targetType, targetExpireAt, guessedRight ? guess : null);
            if (v == null && guessedRight) {
                v = pending(guess, targetExpireAt, k).verdict(difference, exactDifference);
            } else if (v == null) {
                again.add(pending(folded(live(reads.get(k)), DataType.fromTypeReply(targetType)), targetExpireAt, k));
            }
            verdicts.add(v);
        }
        if (!again.isEmpty()) {
            TargetCheck second = new TargetCheck(target, targetCommands);
            for (Pending p : again) {
                second.add(refs.get(p.index()).targetKey(), p.expectation());
                if (p.exact() != null) {
                    second.add(refs.get(p.index()).targetKey(), p.exact());
                }
            }
            java.util.Iterator<String> secondDifferences = second.run().iterator();
            for (Pending p : again) {
                String difference = secondDifferences.next();
                verdicts.set(p.index(), p.verdict(difference, p.exact() == null ? null : secondDifferences.next()));
            }
        }
        return verdicts;
    }

    /**
     * The target's TYPE reply per key: asked, or told by the PTTL (-2: "none") and by a first content read that
     * answered (the expected type). Keys whose read answered with an error are asked TYPE in one more round trip.
     */
    private String[] targetTypes(List<KeyRef> refs, List<Object> replies, Folded[] guessed, int[] typeAt, int[] pttlAt,
                                 int[] typedBy) {
        Pipe tgt = target.pipe();
        String[] types = new String[refs.size()];
        List<Integer> asked = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            byte[] key = refs.get(k).targetKey();
            if (typeAt[k] >= 0) {
                types[k] = Resp.typeName(replies.get(typeAt[k]), tgt.label(), key);
            } else if (Resp.integer(replies.get(pttlAt[k]), tgt.label(), key) == -2) {
                types[k] = "none";
            } else if (replies.get(typedBy[k]) instanceof Resp.Error) {
                typeAt[k] = tgt.send(Cmd.TYPE, key); // another type, or a store's error: TYPE tells
                asked.add(k);
            } else {
                types[k] = guessed[k].targetType().wireName();
            }
        }
        if (!asked.isEmpty()) {
            List<Object> more = tgt.sync();
            for (int k : asked) {
                types[k] = Resp.typeName(more.get(typeAt[k]), tgt.label(), refs.get(k).targetKey());
            }
        }
        return types;
    }

    /**
     * The expectation of a small key folded for the type its target must have if the copy did its work: the
     * last member's under typeMismatch Overwrite, else the first's (later members of another type were left);
     * null where nothing is compared (no live member, a big key, a chain that leaves no expectation).
     */
    private Folded guess(List<Read> reads) {
        List<Read> live = live(reads);
        if (live.isEmpty()) {
            return null;
        }
        for (Read r : live) {
            if (!r.small()) {
                return null;
            }
        }
        DataType type = policies.getTypeMismatch() == TypeMismatchPolicy.OVERWRITE
                ? live.get(live.size() - 1).type() : live.get(0).type();
        Folded f = folded(live, type);
        return f.e() == null || f.e().type != type ? null : f;
    }

    /** A chain folded for a target type, and the last member's exact value where only existence is required. */
    private record Folded(DataType targetType, Expectation e, Expectation exact) {}

    private Folded folded(List<Read> live, DataType targetType) {
        Expectation e = fold(live, targetType);
        Read last = live.get(live.size() - 1);
        Expectation exact = null;
        if (e != null && e.shape == Expectation.Shape.EXISTS && last.type() == targetType) {
            exact = new Expectation(last.type());
            exact.apply(Policy.OVERWRITE, new SourceValue(last.type(), last.expireAt(), last.value()));
        }
        return new Folded(targetType, e, exact);
    }

    private Pending pending(Folded f, long targetExpireAt, int index) {
        return new Pending(index, f.e(), f.exact(), f.e().ttl.check(targetExpireAt, toleranceMs));
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

    /** Every member of every chain read from its source: see {@link SourceReads#read}. */
    List<List<Read>> read(List<KeyRef> refs) {
        return reads.read(refs, true);
    }

    /**
     * Everything that can be decided without the target's content; null when it must be compared.
     *
     * @param folded the chain folded for this target type already, or null
     */
    private Verdict precheck(KeyRef ref, List<Read> reads, String targetTypeReply, long targetExpireAt, Folded folded) {
        List<Read> live = live(reads);
        if (live.isEmpty() && reads.stream().noneMatch(r -> selected(r.member().source(), r.typeReply()))
                && reads.stream().anyMatch(r -> r.type() != null)) {
            return new Verdict(Kind.IGNORED, null);
        }
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
        Expectation e = folded != null ? folded.e() : fold(live, targetType);
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
        List<Read> live = new ArrayList<>(reads.size());
        for (Read r : reads) { // a loop, not a stream: this runs for every key checked
            if (r.type() != null && selected(r.member().source(), r.typeReply())) {
                live.add(r);
            }
        }
        return live;
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
        int source = last.member().source();
        String difference = new ChunkedCheck(sources.get(source), sourceCommands.get(source), target, targetCommands)
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
}
