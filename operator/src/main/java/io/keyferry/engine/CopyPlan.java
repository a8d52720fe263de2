package io.keyferry.engine;

import io.keyferry.engine.copy.PairStrategy;
import io.keyferry.engine.probe.ServerProfile;
import java.util.ArrayList;
import java.util.List;

/**
 * What the probe found and how each source will be copied; printed before anything is written.
 *
 * @param resumeNote how this run relates to saved state: fresh, resuming, or already finished
 */
public record CopyPlan(List<SourcePlan> sources, String targetLabel, ServerProfile target, String policies,
                       String resumeNote, boolean alreadyFinished) {

    /** @param backfill how the source is backfilled: from its snapshot, or by SCAN and why not from its snapshot */
    public record SourcePlan(String name, String label, ServerProfile profile, PairStrategy strategy, String keys,
                             String backfill) {
        public SourcePlan(String name, String label, ServerProfile profile, PairStrategy strategy, String keys) {
            this(name, label, profile, strategy, keys, null);
        }

        SourcePlan backfilled(String how) {
            return new SourcePlan(name, label, profile, strategy, keys, how);
        }
    }

    public long estimatedKeys() {
        return sources.stream().mapToLong(s -> s.profile().dbsize()).sum();
    }

    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("target  " + targetLabel + ": " + target.describe());
        for (int i = 0; i < sources.size(); i++) {
            SourcePlan s = sources.get(i);
            lines.add("source " + (i + 1) + " " + s.label() + ": " + s.profile().describe());
            lines.add("         keys: " + s.keys());
            lines.add("         copy: " + s.strategy().reason());
            if (s.backfill() != null) {
                lines.add("         backfill: " + s.backfill());
            }
        }
        lines.add("policies: " + policies);
        lines.add("state: " + resumeNote);
        return lines;
    }
}
