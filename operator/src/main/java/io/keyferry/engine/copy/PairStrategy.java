package io.keyferry.engine.copy;

import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;

/**
 * How keys travel from one source to the target. DUMP/RESTORE only between two Redis servers that
 * both have it, with the target no older than the source (RDB payloads only load forward), and only
 * for keys written whole (absent in the target, or replaced) and small, strings excepted (SET is cheaper
 * on both servers); everything else type-native. A stream's consumer groups travel where both ends keep them.
 */
public record PairStrategy(boolean dumpRestore, boolean consumerGroups, String reason) {
    public static PairStrategy choose(ServerProfile source, ServerProfile target) {
        boolean groups = source.commands().consumerGroups() && target.commands().consumerGroups();
        PairStrategy s = dumpOrNot(source, target);
        return new PairStrategy(s.dumpRestore, groups, s.reason + (groups || !source.commands().consumerGroups() ? ""
                : "; streams without their consumer groups (the target has none)"));
    }

    private static PairStrategy dumpOrNot(ServerProfile source, ServerProfile target) {
        if (source.kind() != ServerKind.REDIS || target.kind() != ServerKind.REDIS) {
            return new PairStrategy(false, false, "type-native: DUMP payloads are only exchanged between Redis servers");
        }
        if (!source.dumpRestore() || !target.dumpRestore()) {
            return new PairStrategy(false, false, "type-native: DUMP/RESTORE is not available on "
                    + (source.dumpRestore() ? "the target" : "the source"));
        }
        if (major(source.version()) > major(target.version())) {
            return new PairStrategy(false, false, "type-native: the target (" + target.version()
                    + ") is older than the source (" + source.version() + ") and cannot load its DUMP payloads");
        }
        return new PairStrategy(true, false, "DUMP/RESTORE for small keys copied whole, type-native for strings, merges and big keys");
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
