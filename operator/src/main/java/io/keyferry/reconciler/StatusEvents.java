package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.Stage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Events a status change tells (`kubectl describe dm`), derived from the status recorded before and the one
 * decided now, so an Event is emitted exactly when the status that shows it is written: a move or an adoption per new
 * history entry; a Warning when Stalled or TransitionBlocked turns True or says something new; Verified and
 * Succeeded when they are reached; a Warning when a source's live sync starts a rescan (its position was lost).
 */
final class StatusEvents {
    private StatusEvents() {}

    static List<Decider.Event> between(DataMigration dm, DataMigrationStatus old, DataMigrationStatus next) {
        List<Decider.Event> events = new ArrayList<>();
        List<RollbackStatus.Transition> before = history(old);
        for (RollbackStatus.Transition t : history(next)) {
            if (!before.contains(t)) {
                events.add(moved(dm, t));
            }
        }
        Set<String> warned = new LinkedHashSet<>();
        for (String type : List.of(Conditions.STALLED, Conditions.TRANSITION_BLOCKED)) {
            Condition now = Conditions.find(next.getConditions(), type);
            Condition was = Conditions.find(old.getConditions(), type);
            if (now == null || !"True".equals(now.getStatus()) || was != null && "True".equals(was.getStatus())
                    && now.getMessage().equals(was.getMessage())) {
                continue;
            }
            if (warned.add(now.getMessage())) {
                String reason = switch (now.getReason()) {
                    case "GuardNotMet", "RollbackTooFar" -> "TransitionBlocked";
                    default -> now.getReason();
                };
                events.add(Decider.Event.warning(reason, now.getMessage()));
            }
        }
        Condition restored = Conditions.find(next.getConditions(), Conditions.TRANSITION_BLOCKED);
        Condition wasRestored = Conditions.find(old.getConditions(), Conditions.TRANSITION_BLOCKED);
        if (restored != null && "FlagRestored".equals(restored.getReason())
                && (wasRestored == null || !"FlagRestored".equals(wasRestored.getReason()))) {
            events.add(Decider.Event.warning("FlagDrift", restored.getMessage()));
        }
        events.addAll(rescans(old, next));
        if (next.getStage() == Stage.VERIFIED && old.getStage() != Stage.VERIFIED) {
            events.add(Decider.Event.normal("Verified", Conditions.find(next.getConditions(), Conditions.VERIFIED).getMessage()));
        }
        if (dm.getSpec().getCutover() == null && Conditions.isTrue(next.getConditions(), Conditions.READY)
                && !Conditions.isTrue(old.getConditions(), Conditions.READY)) {
            events.add(Decider.Event.normal("Succeeded", Conditions.find(next.getConditions(), Conditions.READY).getMessage()));
        }
        return events;
    }

    private static Decider.Event moved(DataMigration dm, RollbackStatus.Transition t) {
        String what = (t.from() == null ? "" : Decider.name(t.from()) + " -> ") + Decider.name(t.to()) + ", flag " + t.flag();
        if (t.reason() != null && t.reason().startsWith("adopted: ")) {
            return Decider.Event.warning("Adopted", Decider.name(t.to()) + " is in force (flag " + t.flag() + "): "
                    + t.reason().substring("adopted: ".length()) + "; spec.phase " + Decider.name(dm.getSpec().getPhase())
                    + " moves on from there");
        }
        boolean rollback = t.from() != null && t.to().ordinal() < t.from().ordinal();
        if (rollback && t.from() == Phase.TARGET_ONLY) {
            return Decider.Event.warning("RolledBack", what + ": " + t.reason().substring(t.reason().indexOf("; ") + 2));
        }
        return Decider.Event.normal(rollback ? "RolledBack" : "PhaseChanged", what);
    }

    /** A Warning for each source whose sync worker began a rescan since the status recorded before. */
    private static List<Decider.Event> rescans(DataMigrationStatus old, DataMigrationStatus next) {
        List<Decider.Event> events = new ArrayList<>();
        for (io.keyferry.api.SourceStatus s : next.getSources() == null ? List.<io.keyferry.api.SourceStatus>of() : next.getSources()) {
            long now = s.sync() == null || s.sync().rescans() == null ? 0 : s.sync().rescans();
            long before = old.getSources() == null ? 0 : old.getSources().stream().filter(o -> s.name().equals(o.name())
                    && o.sync() != null && o.sync().rescans() != null).mapToLong(o -> o.sync().rescans()).findFirst().orElse(0);
            if (now > before) {
                events.add(Decider.Event.warning("SyncRescan", "source " + s.name() + ": the changes since the sync's saved"
                        + " position were no longer available (the source's replication backlog overwritten, its write-ahead"
                        + " log recycled, or no position saved), so the target is verified with repair; the sync goes on"
                        + " after it (rescan " + now + ")"));
            }
        }
        return events;
    }

    private static List<RollbackStatus.Transition> history(DataMigrationStatus s) {
        return s.getRollback() == null || s.getRollback().history() == null ? List.of() : s.getRollback().history();
    }
}
