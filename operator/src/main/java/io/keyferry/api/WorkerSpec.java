package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

public class WorkerSpec {
    @JsonPropertyDescription("Workers per source.")
    @Min(1)
    @Default("1")
    private Integer parallelism = 1;
    @JsonPropertyDescription("Keys per SCAN batch and per pipelined write; at most a second's worth under"
            + " rateLimit.keysPerSecond, and at most 500 while writes are guarded (DualWrite: a batch is one transaction).")
    @Min(1)
    @Max(100000)
    @Default("2000")
    private Integer batchSize = 2000;
    @JsonPropertyDescription("How each source is first copied: Scan (default) key by key from SCAN; Snapshot from the"
            + " source's RDB snapshot, as a replica (PSYNC), every key RESTOREd with its snapshot bytes, for each Redis"
            + " source where that gives Scan's result.")
    @Default("Scan")
    private Backfill backfill = Backfill.SCAN;
    @JsonPropertyDescription("Pacing of the copy, to spare sources that still serve production.")
    @Default("{}")
    private RateLimitSpec rateLimit = new RateLimitSpec();
    @JsonPropertyDescription("CPU and memory of each worker pod.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Worker image; the operator's own image (or its configured worker image) unless set.")
    private String image;
    @JsonPropertyDescription("Pod retries of a worker Job before the stage is Failed (the Job's backoffLimit).")
    @Min(0)
    @Default("3")
    private Integer backoffLimit = 3;
    @JsonPropertyDescription("After a connection is lost or a server does not answer in time, a worker connects again"
            + " and resumes from its checkpoint up to this many times, pausing 1, 2, 4, 8, 16 s between tries, before"
            + " its pod fails (and backoffLimit takes over).")
    @Min(0)
    @Max(100)
    @Default("5")
    private Integer retries = 5;
    @JsonPropertyDescription("The longest wait, in seconds, for a connection to a store to open.")
    @Min(1)
    @Max(300)
    @Default("5")
    private Integer connectTimeoutSeconds = 5;
    @JsonPropertyDescription("The longest wait, in seconds, for a store's reply before the connection counts as lost"
            + " (and is retried).")
    @Min(1)
    @Max(3600)
    @Default("120")
    private Integer replyTimeoutSeconds = 120;
    @JsonPropertyDescription("Merged onto the generated worker pods: labels, annotations, nodeSelector, tolerations,"
            + " affinity, priorityClassName, imagePullSecrets, serviceAccountName (over the operator's --worker-pod-template).")
    private WorkerPodTemplate podTemplate;

    public Backfill getBackfill() { return backfill; }
    public void setBackfill(Backfill backfill) { this.backfill = backfill; }
    public WorkerPodTemplate getPodTemplate() { return podTemplate; }
    public void setPodTemplate(WorkerPodTemplate podTemplate) { this.podTemplate = podTemplate; }

    public Integer getRetries() { return retries; }
    public void setRetries(Integer retries) { this.retries = retries; }
    public Integer getConnectTimeoutSeconds() { return connectTimeoutSeconds; }
    public void setConnectTimeoutSeconds(Integer connectTimeoutSeconds) { this.connectTimeoutSeconds = connectTimeoutSeconds; }
    public Integer getReplyTimeoutSeconds() { return replyTimeoutSeconds; }
    public void setReplyTimeoutSeconds(Integer replyTimeoutSeconds) { this.replyTimeoutSeconds = replyTimeoutSeconds; }
    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public Integer getBackoffLimit() { return backoffLimit; }
    public void setBackoffLimit(Integer backoffLimit) { this.backoffLimit = backoffLimit; }
    public Integer getParallelism() { return parallelism; }
    public void setParallelism(Integer parallelism) { this.parallelism = parallelism; }
    public Integer getBatchSize() { return batchSize; }
    public void setBatchSize(Integer batchSize) { this.batchSize = batchSize; }
    public RateLimitSpec getRateLimit() { return rateLimit; }
    public void setRateLimit(RateLimitSpec rateLimit) { this.rateLimit = rateLimit; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
}
