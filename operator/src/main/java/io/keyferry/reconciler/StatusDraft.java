package io.keyferry.reconciler;

import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.cutover.PhaseLadder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The status a decision builds, next to the one recorded before: the phase in force, the flag and the rollback
 * history carry over until a move changes them; conditions keep their transition times unless they flip.
 */
final class StatusDraft {
    static final int HISTORY_LIMIT = 50;

    final DataMigration dm;
    final DataMigrationStatus old;
    final DataMigrationStatus next = new DataMigrationStatus();
    final Conditions conditions;
    final Instant now;

    StatusDraft(DataMigration dm, Instant now) {
        this.dm = dm;
        this.now = now;
        this.old = dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
        long generation = dm.getMetadata().getGeneration() == null ? 0 : dm.getMetadata().getGeneration();
        next.setObservedGeneration(generation);
        next.setPhase(old.getPhase());
        next.setFlag(old.getFlag());
        next.setRollback(old.getRollback());
        next.setCopyIdentity(old.getCopyIdentity());
        next.setStateRemovedAt(old.getStateRemovedAt());
        conditions = new Conditions(old.getConditions(), generation, now);
    }

    /** Puts {@code phase} in force with its flag, and records the move in the history. */
    void move(Phase from, Phase to, String flag, String reason) {
        next.setPhase(to);
        next.setFlag(flag);
        List<RollbackStatus.Transition> history = new ArrayList<>(
                next.getRollback() == null || next.getRollback().history() == null ? List.of() : next.getRollback().history());
        history.add(new RollbackStatus.Transition(from, to, flag, now.toString(), reason));
        while (history.size() > HISTORY_LIMIT) {
            history.remove(0);
        }
        Phase back = PhaseLadder.rollbackTarget(to);
        next.setRollback(new RollbackStatus(back, back == null ? null : PhaseLadder.flag(back), history));
    }

    /** The status with the phase, flag and history recorded before: a move that was not carried out is undone. */
    void keepPhase() {
        next.setPhase(old.getPhase());
        next.setFlag(old.getFlag());
        next.setRollback(old.getRollback());
    }

    DataMigrationStatus build() {
        next.setConditions(conditions.build());
        return next;
    }
}
