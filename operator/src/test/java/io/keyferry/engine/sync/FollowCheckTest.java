package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.copy.PairStrategy;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.probe.ServerKind;
import io.keyferry.engine.probe.ServerProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which sources `--follow` takes, as the probe found them: a Kvrocks only where POLLUPDATES answered it, clusters too. */
class FollowCheckTest {

    @Test
    void kvrocksIsFollowedWherePollupdatesAnsweredAndPikaIsRefusedByFieldClustersAreFollowed() {
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.getPolicies().setDefaultPolicy(Policy.OVERWRITE);
        CopyPlan plan = plan(profile(ServerKind.REDIS, false, false), profile(ServerKind.KVROCKS, false, true),
                profile(ServerKind.KVROCKS, false, false), profile(ServerKind.KVROCKS, true, true),
                profile(ServerKind.PIKA, false, false));
        assertEquals(List.of(
                "spec.sources[2] (s2): a Kvrocks source is followed through its write-ahead log with POLLUPDATES, which this"
                        + " one refused: it needs Kvrocks 2.10 or later and the admin user (the requirepass password, not a"
                        + " namespace token); or copy once and cut over with dual writes (spec.cutover)",
                "spec.sources[4] (s4): Pika offers no change capture over the Redis protocol, so it cannot be followed; copy"
                        + " once and keep the new store current with the dual-write cutover (spec.cutover, docs/operations.md)"),
                FollowCheck.problems(spec, plan));
    }

    private static CopyPlan plan(ServerProfile... sources) {
        List<CopyPlan.SourcePlan> plans = new java.util.ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            plans.add(new CopyPlan.SourcePlan("s" + i, "source s" + i, sources[i], new PairStrategy(false, true, ""), "all keys"));
        }
        return new CopyPlan(plans, "target", profile(ServerKind.REDIS, false, false), "", "", false);
    }

    private static ServerProfile profile(ServerKind kind, boolean cluster, boolean walPolling) {
        Commands commands = new Commands(true, true, true, true, kind == ServerKind.REDIS, true, true, true, true, true, -2, 0, 0,
                walPolling);
        return new ServerProfile(kind, "7.0.0", "run", cluster, kind == ServerKind.REDIS, kind == ServerKind.REDIS, false,
                kind == ServerKind.KVROCKS, commands, 512L << 20, 0, null);
    }
}
