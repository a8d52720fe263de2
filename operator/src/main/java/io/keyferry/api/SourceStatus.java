package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One source's stage and progress; checkpoint is the worker's resume point, opaque to users. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceStatus(String name, Stage stage, Double percent, String checkpoint, String lastError) {}
