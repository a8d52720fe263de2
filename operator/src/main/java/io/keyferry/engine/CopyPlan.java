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

    public record SourcePlan(String name, String label, ServerProfile profile, PairStrategy strategy, String keys) {}

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
        }
        lines.add("policies: " + policies);
        lines.add("state: " + resumeNote);
        return lines;
    }
}
