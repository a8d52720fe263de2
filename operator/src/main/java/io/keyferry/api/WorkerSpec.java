package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

public class WorkerSpec {
    @JsonPropertyDescription("Workers per source.")
    @Min(1)
    private Integer parallelism = 1;
    @JsonPropertyDescription("Keys per SCAN batch and per pipelined write.")
    @Min(1)
    @Max(100000)
    private Integer batchSize = 500;
    private RateLimitSpec rateLimit = new RateLimitSpec();
    @JsonPropertyDescription("CPU and memory of each worker pod.")
    private ResourceRequirements resources;

    public Integer getParallelism() { return parallelism; }
    public void setParallelism(Integer parallelism) { this.parallelism = parallelism; }
    public Integer getBatchSize() { return batchSize; }
    public void setBatchSize(Integer batchSize) { this.batchSize = batchSize; }
    public RateLimitSpec getRateLimit() { return rateLimit; }
    public void setRateLimit(RateLimitSpec rateLimit) { this.rateLimit = rateLimit; }
    public ResourceRequirements getResources() { return resources; }
    public void setResources(ResourceRequirements resources) { this.resources = resources; }
}
