package io.keyferry.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What spec.sync allows, checked on the spec alone: its numbers. A Pika source is refused where its kind is known, by
 * the worker's probe (engine/sync/FollowCheck).
 */
final class SyncRules {
    private SyncRules() {}

    static List<FieldError> check(DataMigrationSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        SyncSpec sync = spec.getSync();
        if (sync == null) {
            return errors;
        }
        if (sync.getStopAfterSeconds() != null && sync.getStopAfterSeconds() < 0) {
            errors.add(new FieldError("spec.sync.stopAfterSeconds", "is " + sync.getStopAfterSeconds() + "; use 0 or more"));
        }
        if (spec.getCutover() != null && spec.getCutover().getMaxLagSeconds() != null && spec.getCutover().getMaxLagSeconds() < 1) {
            errors.add(new FieldError("spec.cutover.maxLagSeconds", "is " + spec.getCutover().getMaxLagSeconds() + "; use 1 or more"));
        }
        return errors;
    }
}
