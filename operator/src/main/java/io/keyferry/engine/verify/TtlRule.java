package io.keyferry.engine.verify;

/**
 * The expiry a target key must have, folded from the policies of the sources that wrote it
 * (shared/DESIGN.md section 3.2): Overwrite takes the source's; Merge and Fill keep the later of the
 * two, no expiry being the latest of all.
 */
record TtlRule(Kind kind, long expireAt) {
    enum Kind {
        /** Anything goes (only Skip wrote the key). */
        ANY,
        /** Exactly this expiry, within the tolerance; -1 for none. */
        EXACT,
        /** No expiry, or one no earlier than this. */
        AT_LEAST,
        /** No expiry. */
        NONE
    }

    static final TtlRule ANY = new TtlRule(Kind.ANY, -1);

    static TtlRule exactly(long expireAt) {
        return expireAt < 0 ? new TtlRule(Kind.NONE, -1) : new TtlRule(Kind.EXACT, expireAt);
    }

    /** This rule after a Merge or Fill of a source key expiring at {@code sourceExpireAt} (-1: never). */
    TtlRule merge(long sourceExpireAt) {
        if (sourceExpireAt < 0 || kind == Kind.NONE) {
            return new TtlRule(Kind.NONE, -1);
        }
        return switch (kind) {
            case EXACT -> new TtlRule(Kind.EXACT, Math.max(expireAt, sourceExpireAt));
            case AT_LEAST -> new TtlRule(Kind.AT_LEAST, Math.max(expireAt, sourceExpireAt));
            default -> new TtlRule(Kind.AT_LEAST, sourceExpireAt);
        };
    }

    /** Null when the target's expiry (-1: none) keeps the rule, otherwise why not. */
    String check(long targetExpireAt, long toleranceMs) {
        boolean ok = switch (kind) {
            case ANY -> true;
            case NONE -> targetExpireAt < 0;
            case EXACT -> targetExpireAt >= 0 && Math.abs(targetExpireAt - expireAt) <= toleranceMs;
            case AT_LEAST -> targetExpireAt < 0 || targetExpireAt >= expireAt - toleranceMs;
        };
        if (ok) {
            return null;
        }
        long now = System.currentTimeMillis();
        String target = targetExpireAt < 0 ? "none" : (targetExpireAt - now) + " ms left";
        String expected = switch (kind) {
            case NONE -> "none";
            case EXACT -> (expireAt - now) + " ms left";
            default -> "none or at least " + (expireAt - now) + " ms left";
        };
        return "TTL differs: expected " + expected + ", target has " + target;
    }
}
