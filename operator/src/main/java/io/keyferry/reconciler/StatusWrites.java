package io.keyferry.reconciler;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.SourceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a migration's status is written: at once where anything but progress changed (a stage, the phase, a
 * condition, a verification), and where only progress moved (percent, keys/s, ETA, checkpoints, sync lags), at most once every
 * {@link #PROGRESS_INTERVAL}, so a copy does not write its status at every report of every worker.
 */
final class StatusWrites {
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final Map<String, Instant> lastWrite = new ConcurrentHashMap<>();

    /** @return null to write {@code next} now (the caller then calls {@link #written}), or how long to wait first */
    Duration delay(String uid, DataMigrationStatus old, DataMigrationStatus next, Instant now) {
        Instant last = lastWrite.get(uid);
        if (last == null || !onlyProgress(old, next)) {
            return null;
        }
        Duration since = Duration.between(last, now);
        return since.compareTo(PROGRESS_INTERVAL) >= 0 ? null : PROGRESS_INTERVAL.minus(since);
    }

    void written(String uid, Instant now) {
        lastWrite.put(uid, now);
    }

    /** Whether the two differ in progress alone: the status and its sources with their progress left out. */
    static boolean onlyProgress(DataMigrationStatus a, DataMigrationStatus b) {
        return a != null && b != null && Objects.equals(withoutProgress(a), withoutProgress(b));
    }

    private static String withoutProgress(DataMigrationStatus s) {
        DataMigrationStatus copy = Serialization.clone(s);
        copy.setProgress(null);
        copy.setSyncLagSeconds(null); // the live sync's lag moves like progress
        if (copy.getSources() != null) {
            copy.setSources(copy.getSources().stream()
                    .map(x -> new SourceStatus(x.name(), x.stage(), null, null, x.lastError())).toList());
        }
        return Serialization.asJson(copy);
    }
}
