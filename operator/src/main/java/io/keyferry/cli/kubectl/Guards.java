package io.keyferry.cli.kubectl;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.ProgressStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.VerificationStatus;
import io.keyferry.cutover.PhaseLadder;
import java.util.List;
import java.util.Locale;

/**
 * The cutover guards as the operator will judge them, from the evidence it recorded in status: the decision is
 * {@link PhaseLadder#next}'s own; this class names the guard that blocks and says what would satisfy it.
 */
final class Guards {
    private Guards() {}

    /**
     * A rung forward that may not be taken yet.
     *
     * @param rung    the phase asked for
     * @param guard   which guard blocks it
     * @param reason  why, as the operator says it
     * @param satisfy what would let it pass
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Verdict(String rung, String guard, String reason, String satisfy) {}

    /** What the operator knows, read back from status (the last round is the only one status keeps). */
    static PhaseLadder.Evidence evidence(DataMigration dm) {
        DataMigrationStatus st = status(dm);
        boolean copied = isTrue(st, "Copied");
        Condition verified = find(st, "Verified");
        boolean round = verified != null && List.of("Clean", "Mismatches").contains(verified.getReason());
        long differing = differing(st.getVerification());
        int allowed = dm.getSpec().getCutover() == null ? 0 : dm.getSpec().getCutover().getMaxMismatches();
        Integer maxLag = dm.getSpec().getCutover() == null ? null : dm.getSpec().getCutover().getMaxLagSeconds();
        return new PhaseLadder.Evidence(copied, round, differing, allowed, round ? List.of(differing) : List.of(),
                syncLags(dm, st), maxLag == null ? 1 : maxLag);
    }

    /** Each source's live sync lag as status records it (spec.sync.mode Continuous); empty without live sync. */
    private static List<PhaseLadder.Lag> syncLags(DataMigration dm, DataMigrationStatus st) {
        if (dm.getSpec().getSync() == null || !dm.getSpec().getSync().continuous()) {
            return List.of();
        }
        List<io.keyferry.api.SourceStatus> recorded = st.getSources() == null ? List.of() : st.getSources();
        return dm.getSpec().getSources().stream().map(s -> new PhaseLadder.Lag(s.getName(), recorded.stream()
                .filter(r -> s.getName().equals(r.name()) && r.sync() != null).map(r -> r.sync().lagSeconds())
                .findFirst().orElse(null))).toList();
    }

    /** The verdict on moving from {@code from} to {@code to}, or null when the operator would take the step. */
    static Verdict check(DataMigration dm, Phase from, Phase to) {
        PhaseLadder.Evidence e = evidence(dm);
        if (!(PhaseLadder.next(from, to, e) instanceof PhaseLadder.Blocked blocked)) {
            return null;
        }
        String name = dm.getMetadata().getName();
        String rung = Names.of(to);
        if (!e.copied()) {
            return new Verdict(rung, "copy finished", blocked.reason(), copyAdvice(status(dm), name));
        }
        if (!e.verifiedRound()) {
            boolean running = status(dm).getStage() == Stage.VERIFYING;
            return new Verdict(rung, "verification round finished", blocked.reason(),
                    "a verification round that finishes after the copy" + (running ? " (one is running now)"
                            : "; kubectl keyferry verify " + name + " asks for one now"));
        }
        if (e.mismatches() <= e.maxMismatches()) {
            return new Verdict(rung, "live sync lag below spec.cutover.maxLagSeconds", blocked.reason(),
                    "every source's sync lag below " + e.maxLagSeconds() + " s: the sync workers catch up once the sources"
                            + " write less than they apply (kubectl keyferry status " + name + " shows each source's lag;"
                            + " docs/operations.md, KeyFerrySyncLagging, says what slows them)");
        }
        VerificationStatus v = status(dm).getVerification();
        Integer reverify = dm.getSpec().getCutover().getReverifySeconds();
        return new Verdict(rung, "verification within spec.cutover.maxMismatches", blocked.reason(),
                "a round that finds at most " + e.maxMismatches() + " differing keys (the last found " + v.mismatches()
                        + " different, " + v.missing() + " missing; kubectl keyferry status " + name + " lists the first)."
                        + " While DualWrite is in force the operator repairs them and verifies again every " + reverify
                        + " s; kubectl keyferry verify " + name + " asks for a round now. Raise spec.cutover.maxMismatches"
                        + " only if those differences are acceptable");
    }

    private static String copyAdvice(DataMigrationStatus st, String name) {
        if (st.getStage() == Stage.FAILED) {
            return "the copy failed: fix the cause (kubectl keyferry logs " + name + "), then kubectl keyferry retry " + name;
        }
        ProgressStatus p = st.getProgress();
        if (p == null || p.percent() == null) {
            return "the copy finishing; it has not started (it runs while DualWrite is in force)";
        }
        return "the copy finishing: " + String.format(Locale.ROOT, "%.1f%%", p.percent()) + " copied"
                + (p.etaSeconds() == null ? "" : ", about " + Units.duration(p.etaSeconds()) + " to go");
    }

    static long differing(VerificationStatus v) {
        return v == null ? 0 : (v.mismatches() == null ? 0 : v.mismatches()) + (v.missing() == null ? 0 : v.missing());
    }

    static DataMigrationStatus status(DataMigration dm) {
        return dm.getStatus() != null ? dm.getStatus() : new DataMigrationStatus();
    }

    static Condition find(DataMigrationStatus st, String type) {
        return st.getConditions() == null ? null
                : st.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static boolean isTrue(DataMigrationStatus st, String type) {
        Condition c = find(st, type);
        return c != null && "True".equals(c.getStatus());
    }
}
