package io.keyferry.engine.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Decision;
import java.util.ArrayList;
import java.util.List;

/**
 * The persisted state of a copy: per source the SCAN cursor and counts of every finished batch, and
 * the batch in flight with its decisions (so a restart repeats that batch's plan exactly).
 * A plain document with public fields: it is what the state file holds, nothing more.
 */
public final class Checkpoint {
    /** How a checkpoint is written wherever it is kept; unknown fields of a newer version are ignored. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String migration;
    /** Digest of the sources, target and policies; state of another spec is never resumed. */
    public String fingerprint;
    public String startedAt;
    public String finishedAt;
    public List<SourceState> sources = new ArrayList<>();
    public Inflight inflight;
    /**
     * Whether this copy keeps an undo journal, decided at its first probe (spec.undo.enabled, or unset, whether the
     * target held keys then); null in a checkpoint saved before the journal existed.
     */
    public Boolean undo;
    /** Keys of types KeyFerry cannot copy, as "source: key (type)"; the first thousand. */
    public List<String> unsupported = new ArrayList<>();

    public static final class SourceState {
        public String name;
        public String cursor = "0";
        /** The source's INFO run_id when the cursor was saved: another process's cursor is void (SourceRestarts). */
        public String scannedOn;
        public boolean done;
        public long keysScanned;
        /**
         * How this source is backfilled, decided before its first key: "snapshot" (its RDB snapshot; a run stopped
         * midway takes it again) or "scan"; null in a checkpoint saved before the choice existed (scan).
         */
        public String backfill;
        /** The counts of every finished batch. */
        @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = CountersCodec.Writer.class)
        @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = CountersCodec.Reader.class)
        public Counters counters = new Counters();
    }

    public static final class Inflight {
        public int source;
        public String cursorAfter;
        public boolean scanFinished;
        public long keysScanned;
        @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = DecisionCodec.Writer.class)
        @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = DecisionCodec.Reader.class)
        public List<Decision> decisions = new ArrayList<>();
    }

    public boolean finished() {
        return finishedAt != null;
    }
}
