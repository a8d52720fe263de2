package io.keyferry.engine.verify;

import java.util.List;

/**
 * What verification found.
 *
 * @param keysChecked target keys checked (each once, however many sources write it)
 * @param skipped     keys that exist and differ where a policy (Skip, or a type clash under Skip) let them
 * @param expired     keys whose source expired or vanished while they were checked: not mismatches
 * @param mismatches  keys present in the target but different after every round
 * @param missing     keys absent from the target after every round
 * @param repaired    keys copied again by repair that then matched
 * @param raced       repairs not written because the application wrote the key meanwhile (looked at again)
 * @param samples     up to 100 keys that differ (or were repaired), with the reason
 */
public record VerifyResult(long keysChecked, long matched, long skipped, long expired, long mismatches, long missing,
                           long repaired, long raced, int rounds, List<Sample> samples, long elapsedMillis) {

    public record Sample(String key, String reason, boolean repaired) {}

    public boolean clean() {
        return mismatches == 0 && missing == 0;
    }
}
