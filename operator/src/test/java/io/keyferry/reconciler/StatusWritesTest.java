package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.ProgressStatus;
import io.keyferry.api.SourceStatus;
import io.keyferry.api.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status writes while copying: progress at most every five seconds, any other change at once. */
class StatusWritesTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void progressAloneIsWrittenAtMostEveryFiveSecondsAndAStageChangeAtOnce() {
        StatusWrites writes = new StatusWrites();
        DataMigrationStatus first = status(Stage.COPYING, 10.0);
        assertNull(writes.delay("u", null, first, T0), "the first status is written at once");
        writes.written("u", T0);

        assertEquals(Duration.ofSeconds(4), writes.delay("u", first, status(Stage.COPYING, 20.0), T0.plusSeconds(1)));
        assertNull(writes.delay("u", first, status(Stage.COPYING, 20.0), T0.plusSeconds(5)));
        assertNull(writes.delay("u", first, status(Stage.VERIFYING, 20.0), T0.plusSeconds(1)), "a stage change at once");
        assertNull(writes.delay("other", first, status(Stage.COPYING, 20.0), T0.plusSeconds(1)), "per migration");
    }

    private static DataMigrationStatus status(Stage stage, double percent) {
        DataMigrationStatus s = new DataMigrationStatus();
        s.setStage(stage);
        s.setProgress(new ProgressStatus(percent, (long) percent * 100, null, null, null, null, null, null, null));
        s.setSources(List.of(new SourceStatus("a", stage, percent, "cursor " + percent, null)));
        return s;
    }
}
