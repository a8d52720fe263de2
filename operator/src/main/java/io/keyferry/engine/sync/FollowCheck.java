package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.probe.ServerKind;
import java.util.ArrayList;
import java.util.List;

/** Whether a migration's sources can be followed after the backfill, and why not, by field. */
public final class FollowCheck {
    private FollowCheck() {}

    public static List<String> problems(DataMigrationSpec spec, CopyPlan plan) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < plan.sources().size(); i++) {
            CopyPlan.SourcePlan s = plan.sources().get(i);
            String field = "spec.sources[" + i + "] (" + s.name() + ")";
            if (s.profile().kind() == ServerKind.PIKA) {
                problems.add(field + ": Pika offers no change capture over the Redis protocol, so it cannot be followed;"
                        + " copy once and keep the new store current with the dual-write cutover (spec.cutover, docs/operations.md)");
            } else if (s.profile().kind() == ServerKind.KVROCKS && !s.profile().commands().walPolling()) {
                problems.add(field + ": a Kvrocks source is followed through its write-ahead log with POLLUPDATES, which"
                        + " this one refused: it needs Kvrocks 2.10 or later and the admin user (the requirepass password, not"
                        + " a namespace token); or copy once and cut over with dual writes (spec.cutover)");
            }
        }
        return problems;
    }
}
