package io.keyferry.testing;

/**
 * The seed of a randomized test: -Dkeyferry.seed=N replays a run, otherwise a new one is drawn. Either way it is
 * printed, and a failure's message should carry it.
 */
public final class Seeds {
    private Seeds() {}

    public static long seed(String test) {
        Long given = Long.getLong("keyferry.seed");
        long seed = given != null ? given : new java.security.SecureRandom().nextLong();
        System.out.println("[keyferry tests] " + test + ": seed " + seed + " (replay with -Dkeyferry.seed=" + seed + ")");
        return seed;
    }
}
