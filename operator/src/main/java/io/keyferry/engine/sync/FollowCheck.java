package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
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
            } else if (s.profile().kind() == ServerKind.KVROCKS) {
                problems.add(field + ": following a Kvrocks source (its WAL, POLLUPDATES) is not built yet; copy once and"
                        + " cut over with dual writes (spec.cutover)");
            } else if (s.profile().cluster()) {
                problems.add(field + ": following a Redis Cluster source is not built yet; follow each master as a source"
                        + " of its own, or cut over with dual writes (spec.cutover)");
            }
        }
        if (spec.getPolicies().forType(DataType.LIST) == Policy.MERGE) {
            problems.add("spec.policies.list: Merge cannot be followed yet: elements pushed while the backfill runs cannot"
                    + " be told apart from those it copied, so some would be appended twice; use Overwrite (the target list"
                    + " becomes the sources') or Skip for lists, or copy once");
        }
        return problems;
    }
}
