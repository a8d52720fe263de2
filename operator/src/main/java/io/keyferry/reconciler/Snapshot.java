package io.keyferry.reconciler;

import io.keyferry.api.DataMigration;
import io.keyferry.api.FieldError;
import java.util.List;

/**
 * Everything one reconcile observed, read once before anything is decided: the resource, what is wrong with its
 * spec, the Secrets its workers would mount that are missing, its worker Jobs with their reports, the routing flag
 * (or why it could not be read), whether this replica may write the flag, and what keeps a worker pod from running.
 * {@link Decider} decides from this alone.
 *
 * @param invalid        problems with the spec (nothing is started while there are any)
 * @param missingSecrets secret references of the workers' endpoints whose Secret or key is missing, by field path
 * @param flag           the routing flag as read; null without a cutover
 * @param leading        this replica holds the Lease (always true without leader election)
 * @param problems       worker pods that do not run, or run without reporting
 */
public record Snapshot(DataMigration dm, List<FieldError> invalid, List<FieldError> missingSecrets, List<WorkerRun> runs,
                       Flag flag, boolean leading, List<WorkerProblem> problems) {

    /** The routing flag in its store: its value (null when the key is absent), or the error that kept it from being read. */
    public record Flag(String value, String error) {
        public static Flag of(String value) {
            return new Flag(value, null);
        }

        public static Flag unreadable(String error) {
            return new Flag(null, error);
        }
    }

    /** A snapshot with a valid spec, every Secret present, leading, no pod problem: what most decisions are about. */
    public static Snapshot of(DataMigration dm, List<WorkerRun> runs, String flag) {
        return new Snapshot(dm, List.of(), List.of(), runs, dm.getSpec().getCutover() == null ? null : Flag.of(flag), true,
                List.of());
    }

    public Snapshot withInvalid(List<FieldError> errors) {
        return new Snapshot(dm, errors, missingSecrets, runs, flag, leading, problems);
    }

    public Snapshot withMissingSecrets(List<FieldError> errors) {
        return new Snapshot(dm, invalid, errors, runs, flag, leading, problems);
    }

    public Snapshot withFlag(Flag read) {
        return new Snapshot(dm, invalid, missingSecrets, runs, read, leading, problems);
    }

    public Snapshot withLeading(boolean held) {
        return new Snapshot(dm, invalid, missingSecrets, runs, flag, held, problems);
    }

    public Snapshot withProblems(List<WorkerProblem> found) {
        return new Snapshot(dm, invalid, missingSecrets, runs, flag, leading, found);
    }
}
