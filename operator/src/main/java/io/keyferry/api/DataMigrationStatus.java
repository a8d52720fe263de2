package io.keyferry.api;

/** Written only by the operator's reconciler (a later issue fills in the rest of DESIGN.md section 2). */
public class DataMigrationStatus {
    private Long observedGeneration;
    private String stage;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getStage() { return stage; }
    public void setStage(String stage) { this.stage = stage; }
}
