package io.keyferry.engine.verify;

import io.keyferry.engine.redis.Keys;
import java.util.ArrayList;
import java.util.List;

/**
 * The tally of a verification: counts its verdicts, keeps the keys that failed (up to {@link Verifier#RECHECKED_AT_MOST})
 * to check again or repair over the rounds, and makes the result with its samples.
 */
final class Tally {
    long checked;
    long matched;
    long skipped;
    long expired;
    long repaired;
    /** Repairs not written because the application wrote the key meanwhile (it is looked at again). */
    long raced;
    long unrechecked;
    List<Verifier.KeyRef> failing = new ArrayList<>();
    List<KeyChecker.Verdict> reasons = new ArrayList<>();
    final List<VerifyResult.Sample> repairedSamples = new ArrayList<>();
    /** Target keys no source has (the other direction, while dual-writing). */
    List<byte[]> extra = List.of();

    void extra(List<byte[]> left, List<byte[]> deleted) {
        extra = left;
        checked += left.size() + deleted.size();
        repaired += deleted.size();
        for (byte[] k : deleted) {
            if (repairedSamples.size() < Verifier.SAMPLES) {
                repairedSamples.add(new VerifyResult.Sample(Keys.show(k), Verifier.EXTRA_REASON, true));
            }
        }
    }

    /** Keys found equal to the source's snapshot ({@link SnapshotCheck}): checked, and matched. */
    synchronized void confirmed(long n) {
        checked += n;
        matched += n;
    }

    synchronized void first(List<Verifier.KeyRef> refs, List<KeyChecker.Verdict> verdicts) {
        for (int i = 0; i < refs.size(); i++) {
            first(refs.get(i), verdicts.get(i));
        }
    }

    private void first(Verifier.KeyRef ref, KeyChecker.Verdict v) {
        if (v.kind() == KeyChecker.Kind.IGNORED) {
            return;
        }
        checked++;
        switch (v.kind()) {
            case MATCHED -> matched++;
            case SKIPPED -> skipped++;
            case EXPIRED -> expired++;
            default -> {
                if (failing.size() < Verifier.RECHECKED_AT_MOST) {
                    failing.add(ref);
                    reasons.add(v);
                } else {
                    unrechecked++; // reported as a mismatch without another round
                }
            }
        }
    }

    void recheck(KeyChecker checker) {
        List<Verifier.KeyRef> refs = failing;
        List<KeyChecker.Verdict> verdicts = checker.checkAll(refs);
        failing = new ArrayList<>();
        reasons = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            KeyChecker.Verdict v = verdicts.get(i);
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

    /**
     * Copies the failing keys again and checks them, up to {@code passes} times, pausing between passes: while
     * the application writes both stores, a key can differ for a moment (its write reached the old store, not yet
     * the new one) or its repair can be raced (and is then not written); such a key matches at a later look and
     * is not counted. Only a key that still differs after the last pass is a mismatch.
     */
    void repair(KeyChecker checker, Verifier.Repairer repairer, int passes, Runnable pause) {
        List<Verifier.KeyRef> before = failing;
        List<KeyChecker.Verdict> why = reasons;
        for (int pass = 0; pass < Math.max(1, passes) && !failing.isEmpty(); pass++) {
            if (pass > 0) {
                pause.run();
            }
            raced += repairer.repair(failing).size();
            recheck(checker);
        }
        java.util.Set<java.nio.ByteBuffer> still = new java.util.HashSet<>();
        failing.forEach(r -> still.add(java.nio.ByteBuffer.wrap(r.targetKey())));
        for (int i = 0; i < before.size(); i++) {
            if (!still.contains(java.nio.ByteBuffer.wrap(before.get(i).targetKey()))) {
                repaired++;
                if (repairedSamples.size() < Verifier.SAMPLES) {
                    repairedSamples.add(new VerifyResult.Sample(Keys.show(before.get(i).targetKey()),
                            why.get(i).reason(), true));
                }
            }
        }
    }

    VerifyResult result(int rounds, long elapsed) {
        long missing = reasons.stream().filter(v -> v.kind() == KeyChecker.Kind.MISSING).count();
        long mismatches = reasons.size() - missing + unrechecked + extra.size();
        List<VerifyResult.Sample> samples = new ArrayList<>();
        for (int i = 0; i < failing.size() && samples.size() < Verifier.SAMPLES; i++) {
            samples.add(new VerifyResult.Sample(Keys.show(failing.get(i).targetKey()), reasons.get(i).reason(), false));
        }
        for (int i = 0; i < extra.size() && samples.size() < Verifier.SAMPLES; i++) {
            samples.add(new VerifyResult.Sample(Keys.show(extra.get(i)), Verifier.EXTRA_REASON, false));
        }
        repairedSamples.stream().limit(Verifier.SAMPLES - samples.size()).forEach(samples::add);
        return new VerifyResult(checked, matched, skipped, expired, mismatches, missing, repaired, raced, rounds,
                samples, elapsed);
    }
}
