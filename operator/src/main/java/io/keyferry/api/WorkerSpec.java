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
    @JsonPropertyDescription("Keys per SCAN batch and per pipelined write.")
    @Min(1)
    @Max(100000)
    @Default("500")
    private Integer batchSize = 500;
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
    @JsonPropertyDescription("Merged onto the generated worker pods: labels, annotations, nodeSelector, tolerations,"
            + " affinity, priorityClassName, imagePullSecrets, serviceAccountName (over the operator's --worker-pod-template).")
    private WorkerPodTemplate podTemplate;

    public WorkerPodTemplate getPodTemplate() { return podTemplate; }
    public void setPodTemplate(WorkerPodTemplate podTemplate) { this.podTemplate = podTemplate; }

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
