package io.keyferry.cli.kubectl;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.keyferry.api.ProgressStatus;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.VerificationStatus;
import java.util.List;

/**
 * Everything `kubectl keyferry status` shows, as data: the text view renders it, `-o json|yaml` prints it. Times
 * are RFC 3339; the text view turns them into ages.
 *
 * @param specPhase   the phase spec.phase asks for (absent for a one-shot migration)
 * @param phase       the phase in force (its flag is written)
 * @param nextPhase   the rung after the one in force (absent during a rollback, and from TargetOnly)
 * @param blockedBy   the guard that blocks the next rung, and what satisfies it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StatusReport(String namespace, String name, String specPhase, String phase, String flag, String nextPhase, String stage,
                    Long generation, Long observedGeneration, ProgressStatus progress, List<SourceView> sources,
                    VerificationStatus verification, Guards.Verdict blockedBy, List<ConditionView> conditions,
                    RollbackStatus rollback, List<WorkerView> workers) {

    /**
     * One source: its stage and share from status, its rate and ETA from its workers' reports, its parts, and its live
     * sync's lag (spec.sync.mode Continuous) from status.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SourceView(String name, String stage, Double percent, Long keysPerSecond, Long etaSeconds, String lastError,
                      List<PartView> parts, io.keyferry.api.SyncStatus sync) {}

    /** One of the parts (spec.worker.parallelism) a source is copied in, from its worker's report; numbered from 1. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PartView(int part, int of, String stage, double percent, long keysPerSecond, Long etaSeconds) {}

    /** A condition, with what it means in words and what to do about it (null when nothing is to be done). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ConditionView(String type, String status, String reason, String message, String lastTransitionTime,
                         String meaning, String action) {}

    /** A worker pod: what it does (copy of a source's part, or a verification run), its state and restarts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WorkerView(String name, String role, String state, int restarts, String started) {}
}
