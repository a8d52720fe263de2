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
     * @param keys the indices in {@code refs} of the keys to check, each read from its one source as a digest
     * @return a verdict for each of {@code keys}, in their order; null where the key must be compared whole
     */
    static Verdict[] run(RedisLink target, List<Verifier.KeyRef> refs, List<List<Read>> reads, List<Integer> keys,
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
            if (pttl == -2 || !read.value().equals(replies.get(readAt[i]))) {
                continue; // missing, another type, or another value: compared whole
            }
            String ttl = TtlRule.exactly(read.expireAt()).check(pttl >= 0 ? now + pttl : -1, toleranceMs);
            verdicts[i] = ttl == null ? new Verdict(Kind.MATCHED, null) : new Verdict(Kind.MISMATCH, ttl);
        }
        return verdicts;
    }
}
