package io.keyferry.engine.verify;

import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Digest;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.verify.KeyChecker.Kind;
import io.keyferry.engine.verify.KeyChecker.Read;
import io.keyferry.engine.verify.KeyChecker.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The target's keys whose source was read as a {@link Digest}: each is sent the same read and its PTTL in one round
 * trip, and its reply digested the same way. Equal digests and an expiry within the tolerance match; anything else
 * (another digest, a missing key, another type) is left to the caller, which reads both sides again whole and names
 * the difference.
 */
final class DigestCheck {
    private DigestCheck() {}

    /**
     * The verdicts of a batch: those the digests gave, and the keys left to compare whole.
     *
     * @param whole  keys not read as digests (other policies, several sources, big keys, streams)
     * @param differ keys whose digests did not match, to be read again whole
     */
    record Outcome(List<Verdict> verdicts, List<Integer> whole, List<Integer> differ) {
        void place(List<Integer> at, List<Verdict> found) {
            for (int i = 0; i < at.size(); i++) {
                verdicts.set(at.get(i), found.get(i));
            }
        }
    }

    /**
     * Checks the keys of {@code refs} whose one source was read as a digest and selects them.
     *
     * @param selected whether a read's source selects its key (keys.types): a key no source selects is not checked
     */
    static Outcome run(RedisLink target, List<Verifier.KeyRef> refs, List<List<Read>> reads,
                       java.util.function.Predicate<Read> selected, long toleranceMs) {
        List<Integer> digested = new ArrayList<>();
        List<Integer> whole = new ArrayList<>();
        for (int k = 0; k < refs.size(); k++) {
            List<Read> chain = reads.get(k);
            boolean digest = chain.size() == 1 && chain.get(0).value() instanceof Digest && selected.test(chain.get(0));
            (digest ? digested : whole).add(k);
        }
        List<Verdict> verdicts = new ArrayList<>(java.util.Collections.nCopies(refs.size(), null));
        List<Integer> differ = new ArrayList<>();
        Verdict[] found = digested.isEmpty() ? new Verdict[0] : run(target, refs, reads, digested, toleranceMs);
        for (int i = 0; i < digested.size(); i++) {
            verdicts.set(digested.get(i), found[i]);
            if (found[i] == null) {
                differ.add(digested.get(i));
            }
        }
        return new Outcome(verdicts, whole, differ);
    }

    static <T> List<T> pick(List<T> all, List<Integer> at) {
        List<T> picked = new ArrayList<>(at.size());
        at.forEach(i -> picked.add(all.get(i)));
        return picked;
    }

    /**
     * @param keys the indices in {@code refs} of the keys to check, each read from its one source as a digest
     * @return a verdict for each of {@code keys}, in their order; null where the key must be compared whole
     */
    private static Verdict[] run(RedisLink target, List<Verifier.KeyRef> refs, List<List<Read>> reads, List<Integer> keys,
                                 long toleranceMs) {
        Pipe tgt = target.pipe();
        DigestedReads filter = new DigestedReads(new BatchMemory(BatchMemory.BATCH_BYTES));
        tgt.filtering(filter);
        int[] pttlAt = new int[keys.size()];
        int[] readAt = new int[keys.size()];
        long now = System.currentTimeMillis(); // before the PTTLs: expiries computed from it are never late
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = refs.get(keys.get(i)).targetKey();
            Read read = reads.get(keys.get(i)).get(0);
            pttlAt[i] = tgt.send(Cmd.PTTL, key);
            readAt[i] = SourceReads.boundedRead(tgt, read.type(), key);
            filter.digest(readAt[i], read.type());
        }
        List<Object> replies = tgt.sync();
        Verdict[] verdicts = new Verdict[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            Read read = reads.get(keys.get(i)).get(0);
            byte[] key = refs.get(keys.get(i)).targetKey();
            long pttl = Resp.integer(replies.get(pttlAt[i]), tgt.label(), key);
            // Only a value with an element (a byte of a string) shows the key is there: a missing key reads as an empty
            // value, and Pika's PTTL of a missing key is 0, not -2.
            boolean there = ((Digest) read.value()).count() > 0 && pttl != -2;
            if (!there || !read.value().equals(replies.get(readAt[i]))) {
                continue; // missing, empty, another type, or another value: compared whole
            }
            String ttl = TtlRule.exactly(read.expireAt()).check(pttl >= 0 ? now + pttl : -1, toleranceMs);
            verdicts[i] = ttl == null ? new Verdict(Kind.MATCHED, null) : new Verdict(Kind.MISMATCH, ttl);
        }
        return verdicts;
    }
}
