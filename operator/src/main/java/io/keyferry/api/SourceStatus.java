package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One source's stage and progress; checkpoint is the worker's resume point, opaque to users. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceStatus(
        @JsonPropertyDescription("The source's `spec.sources[].name`.")
        String name,
        @JsonPropertyDescription("This source's stage.")
        Stage stage,
        @JsonPropertyDescription("Share of this source copied, 0 to 100.")
        Double percent,
        @JsonPropertyDescription("The copy worker's resume point (`done` once copied); opaque, for support.")
        String checkpoint,
        @JsonPropertyDescription("The last error of this source's worker, if any.")
        String lastError,
        @JsonPropertyDescription("With spec.sync.mode Continuous: the sync worker's lag and position; absent before it reports.")
        SyncStatus sync) {
    public SourceStatus(String name, Stage stage, Double percent, String checkpoint, String lastError) {
        this(name, stage, percent, checkpoint, lastError, null);
    }

    /** This entry with the sync worker's lag. */
    public SourceStatus withSync(SyncStatus s) {
        return new SourceStatus(name, stage, percent, checkpoint, lastError, s);
    }
}
