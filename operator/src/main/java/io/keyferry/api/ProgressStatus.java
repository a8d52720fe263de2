package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The copy's progress over all sources, folded from the workers' reports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressStatus(Double percent, Long keysScanned, Long keysWritten, Long keysSkipped, Long keysMerged,
                             Long keysFailed, Long bytesWritten, Long keysPerSecond, Long etaSeconds) {}
