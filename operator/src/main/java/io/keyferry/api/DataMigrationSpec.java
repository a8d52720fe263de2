package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@ValidationRule(value = "has(self.phase) == has(self.cutover)",
        message = "spec.phase and spec.cutover go together: a cutover needs a phase, a one-shot copy has neither")
public class DataMigrationSpec {
    @JsonPropertyDescription("Stores to copy from, applied in list order: on a conflict a later source wins.")
    @Required
    @Size(min = 1)
    private List<SourceSpec> sources = new ArrayList<>();
    @JsonPropertyDescription("The store to copy into.")
    @Required
    private TargetSpec target;
    @JsonPropertyDescription("What happens when a key already exists in the target, per data type.")
    @Default("{}")
    private PolicySpec policies = new PolicySpec();
    @JsonPropertyDescription("Desired cutover phase; only together with spec.cutover.")
    private Phase phase;
    @JsonPropertyDescription("The application's routing flag; without it the migration is a one-shot copy.")
    private CutoverSpec cutover;
    @JsonPropertyDescription("How the copy is verified.")
    @Default("{}")
    private VerifySpec verify = new VerifySpec();
    @JsonPropertyDescription("Live sync: copy once (the default), or follow the sources' changes after the backfill.")
    @Default("{}")
    private SyncSpec sync = new SyncSpec();
    @JsonPropertyDescription("Worker sizing and pacing.")
    @Default("{}")
    private WorkerSpec worker = new WorkerSpec();

    @JsonPropertyDescription("On deletion of this DataMigration: Keep leaves KeyFerry's keys in the target as they are;"
            + " Delete removes every one of them (checkpoints, fences) before the resource goes. The annotation"
            + " keyferry.io/skip-cleanup: \"true\" lets a deletion through without it when the target is gone for good.")
    @Default("Keep")
    private CleanupPolicy cleanup = CleanupPolicy.KEEP;

    @JsonPropertyDescription("The undo journal: target keys' prior states, so that the migration can be undone.")
    @Default("{}")
    private UndoSpec undo = new UndoSpec();

    @JsonPropertyDescription("true: abort the migration, putting the target back as it was from the undo journal"
            + " (spec.undo); the same as spec.phase Aborted, for a migration without spec.cutover. Refused where no"
            + " journal is kept.")
    private Boolean abort;

    @JsonPropertyDescription("Change it (any new value) to start a new attempt after a Failed stage; the copy resumes"
            + " from its checkpoint.")
    private String retryNonce;

    public Boolean getAbort() { return abort; }
    public void setAbort(Boolean abort) { this.abort = abort; }
    public CleanupPolicy getCleanup() { return cleanup; }
    public void setCleanup(CleanupPolicy cleanup) { this.cleanup = cleanup; }
    public String getRetryNonce() { return retryNonce; }
    public void setRetryNonce(String retryNonce) { this.retryNonce = retryNonce; }
    public List<SourceSpec> getSources() { return sources; }
    public void setSources(List<SourceSpec> sources) { this.sources = sources; }
    public TargetSpec getTarget() { return target; }
    public void setTarget(TargetSpec target) { this.target = target; }
    public PolicySpec getPolicies() { return policies; }
    public void setPolicies(PolicySpec policies) { this.policies = policies; }
    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public CutoverSpec getCutover() { return cutover; }
    public void setCutover(CutoverSpec cutover) { this.cutover = cutover; }
    public VerifySpec getVerify() { return verify; }
    public void setVerify(VerifySpec verify) { this.verify = verify; }
    public SyncSpec getSync() { return sync; }
    public void setSync(SyncSpec sync) { this.sync = sync; }
    public WorkerSpec getWorker() { return worker; }
    public UndoSpec getUndo() { return undo; }
    public void setUndo(UndoSpec undo) { this.undo = undo; }
    public void setWorker(WorkerSpec worker) { this.worker = worker; }
}
