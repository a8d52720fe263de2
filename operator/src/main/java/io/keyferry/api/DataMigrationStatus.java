package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Written only by the operator's reconciler, through the status subresource (shared/DESIGN.md
 * section 2). Conditions are kstatus-compatible: Ready, Reconciling, Stalled, plus Copied, Verified
 * and TransitionBlocked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataMigrationStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("The cutover phase in force: its flag has been written.")
    private Phase phase;
    @JsonPropertyDescription("The routing flag in force (R W R W: old store read/write, new store read/write).")
    private String flag;
    @JsonPropertyDescription("Where the data path stands: Pending, Probing, Copying, Verifying, Verified; or Failed, with the reason in the `Stalled` condition.")
    private Stage stage;
    @JsonPropertyDescription("The copy's progress over all sources, folded from the workers' reports.")
    private ProgressStatus progress;
    @JsonPropertyDescription("One entry per source, in the order of `spec.sources`.")
    private List<SourceStatus> sources = new ArrayList<>();
    @JsonPropertyDescription("With spec.sync.mode Continuous: the largest sync lag over the sources, in seconds (the LAG"
            + " column); absent while no sync worker reports.")
    private Double syncLagSeconds;
    @JsonPropertyDescription("With spec.cutover.reverseSync: the reverse sync of the target into the first source while"
            + " TargetOnly is in force (and a rollback from it is asked); absent otherwise.")
    private ReverseSyncStatus reverseSync;
    @JsonPropertyDescription("The last verification: its run, counts, and a few keys that differ with the reason.")
    private VerificationStatus verification;
    @JsonPropertyDescription("Where moving spec.phase back would lead, and every phase transition so far.")
    private RollbackStatus rollback;
    @JsonPropertyDescription("Standard Kubernetes conditions, kstatus-compatible.")
    private List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("A digest of spec.sources and spec.target as the copy started with them; the operator"
            + " refuses (Stalled) a spec whose sources or target changed after that.")
    private String copyIdentity;
    @JsonPropertyDescription("The undo journal: whether it is kept and its size; an abort's progress and result.")
    private UndoStatus undo;

    @JsonPropertyDescription("When the operator removed the finished migration's checkpoints and live sync positions"
            + " from the target (the copy's state, not needed once it finished); cleared by a rollback from TargetOnly.")
    private String stateRemovedAt;

    public String getStateRemovedAt() { return stateRemovedAt; }
    public void setStateRemovedAt(String stateRemovedAt) { this.stateRemovedAt = stateRemovedAt; }

    public UndoStatus getUndo() { return undo; }
    public void setUndo(UndoStatus undo) { this.undo = undo; }

    public String getCopyIdentity() { return copyIdentity; }
    public void setCopyIdentity(String copyIdentity) { this.copyIdentity = copyIdentity; }

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public String getFlag() { return flag; }
    public void setFlag(String flag) { this.flag = flag; }
    public Stage getStage() { return stage; }
    public void setStage(Stage stage) { this.stage = stage; }
    public ProgressStatus getProgress() { return progress; }
    public void setProgress(ProgressStatus progress) { this.progress = progress; }
    public List<SourceStatus> getSources() { return sources; }
    public void setSources(List<SourceStatus> sources) { this.sources = sources; }
    public ReverseSyncStatus getReverseSync() { return reverseSync; }
    public void setReverseSync(ReverseSyncStatus reverseSync) { this.reverseSync = reverseSync; }
    public Double getSyncLagSeconds() { return syncLagSeconds; }
    public void setSyncLagSeconds(Double syncLagSeconds) { this.syncLagSeconds = syncLagSeconds; }
    public VerificationStatus getVerification() { return verification; }
    public void setVerification(VerificationStatus verification) { this.verification = verification; }
    public RollbackStatus getRollback() { return rollback; }
    public void setRollback(RollbackStatus rollback) { this.rollback = rollback; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
