package io.keyferry.engine.copy;

import io.keyferry.api.DataType;

/**
 * The plan for one key, fixed before the batch writes anything and kept in the checkpoint, so a
 * restarted run repeats the same plan instead of re-deciding against a target it already changed.
 *
 * @param type            null for a type KeyFerry cannot copy
 * @param sourceExpireAt  absolute expiry of the source key in epoch ms, or -1 for none
 * @param targetExpireAt  absolute expiry of the target key before the copy, or -1 for none/absent
 * @param sourceSize      elements of the source key (bytes for a string) when it was sized
 * @param targetLenBefore length of the target list before a list append, else 0
 * @param chunked         the key is copied in chunks, alone, instead of read whole in the batch
 * @param dump            the key travels as DUMP/RESTORE
 */
public record Decision(
        byte[] sourceKey,
        byte[] targetKey,
        DataType type,
        String typeName,
        Action action,
        Outcome outcome,
        long sourceExpireAt,
        long targetExpireAt,
        long sourceSize,
        long targetLenBefore,
        boolean chunked,
        boolean dump) {

    /** The absolute expiry the target key must end with, or -1 for none (shared/DESIGN.md section 3.2). */
    public long resultExpireAt() {
        return switch (action) {
            case COPY, REPLACE -> sourceExpireAt;
            // Merge and Fill keep the later expiry of the two; no expiry is the latest of all.
            case MERGE, FILL -> sourceExpireAt < 0 || targetExpireAt < 0 ? -1 : Math.max(sourceExpireAt, targetExpireAt);
            case NONE -> targetExpireAt;
        };
    }
}
