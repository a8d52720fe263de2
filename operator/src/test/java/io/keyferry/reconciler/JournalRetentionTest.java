package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyferry.api.CutoverSpec;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.SyncMode;
import io.keyferry.api.SyncSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a cutover counts as finished for spec.undo.retainSeconds (the one-shot case runs in RetainOperatorTest). */
class JournalRetentionTest {
    private static final Instant TARGET_ONLY_AT = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void aCutoverFinishesWhenTargetOnlyCameInForcePlusStopAfterSecondsWithLiveSync() {
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.setCutover(new CutoverSpec());
        assertEquals(TARGET_ONLY_AT, JournalRetention.finishedAt(spec, status(Phase.TARGET_ONLY)), "without live sync");
        SyncSpec sync = new SyncSpec();
        sync.setMode(SyncMode.CONTINUOUS);
        sync.setStopAfterSeconds(60);
        spec.setSync(sync);
        assertEquals(TARGET_ONLY_AT.plusSeconds(60), JournalRetention.finishedAt(spec, status(Phase.TARGET_ONLY)));
        assertNull(JournalRetention.finishedAt(spec, status(Phase.DUAL_WRITE)), "rolled back: not finished");
        DataMigrationStatus aborting = status(Phase.TARGET_ONLY);
        aborting.setStage(Stage.ABORTING);
        assertNull(JournalRetention.finishedAt(spec, aborting));
    }

    @Test
    void aOneShotWithLiveSyncNeverFinishes() {
        DataMigrationSpec spec = new DataMigrationSpec();
        SyncSpec sync = new SyncSpec();
        sync.setMode(SyncMode.CONTINUOUS);
        spec.setSync(sync);
        DataMigrationStatus st = status(null);
        st.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType(Conditions.READY)
                .withStatus("True").withReason("Succeeded").withLastTransitionTime(TARGET_ONLY_AT.toString()).build()));
        assertNull(JournalRetention.finishedAt(spec, st));
        spec.setSync(null);
        assertEquals(TARGET_ONLY_AT, JournalRetention.finishedAt(spec, st), "without it: when Ready became True");
    }

    private static DataMigrationStatus status(Phase phase) {
        DataMigrationStatus st = new DataMigrationStatus();
        st.setPhase(phase);
        st.setRollback(new RollbackStatus(null, null, List.of(
                new RollbackStatus.Transition(Phase.READ_TARGET, Phase.TARGET_ONLY, "0011", TARGET_ONLY_AT.toString(), "spec.phase"),
                new RollbackStatus.Transition(Phase.TARGET_ONLY, Phase.DUAL_WRITE, "1101",
                        TARGET_ONLY_AT.plusSeconds(5).toString(), "rollback"))));
        return st;
    }
}
