package io.keyferry.cli.kubectl;

import io.keyferry.api.ProgressStatus;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.VerificationStatus;
import io.keyferry.cli.kubectl.StatusReport.ConditionView;
import io.keyferry.cli.kubectl.StatusReport.PartView;
import io.keyferry.cli.kubectl.StatusReport.SourceView;
import io.keyferry.cli.kubectl.Terminal.Style;
import java.time.Instant;
import java.util.List;

/** The one screen of `kubectl keyferry status`: the whole story of a migration, top to bottom. */
final class StatusText {
    private static final int HISTORY_SHOWN = 10;

    private final Terminal t;
    private final Instant now;
    private final StringBuilder b = new StringBuilder();

    private StatusText(Terminal terminal, Instant now) {
        this.t = terminal;
        this.now = now;
    }

    static String render(StatusReport r, Terminal terminal, Instant now) {
        StatusText v = new StatusText(terminal, now);
        v.header(r);
        v.blocked(r.blockedBy());
        v.sources(r.sources());
        v.verification(r.verification());
        v.conditions(r.conditions());
        v.rollback(r);
        v.workers(r);
        return v.b.toString();
    }

    private void header(StatusReport r) {
        line(t.paint("DataMigration " + r.namespace() + "/" + r.name(), Style.BOLD));
        if (r.specPhase() == null) {
            field("Phase", "none: a one-shot migration (no spec.cutover)");
        } else {
            String inForce = r.phase() == null ? t.paint("none in force yet", Style.YELLOW)
                    : t.paint(r.phase(), Style.BOLD) + " in force, flag " + r.flag();
            field("Phase", inForce + (r.specPhase().equals(r.phase()) ? "" : "; spec.phase asks for " + r.specPhase()));
            if (r.nextPhase() != null && r.specPhase().equals(r.phase())) {
                field("Next", r.nextPhase() + (r.blockedBy() == null ? ": kubectl keyferry advance " + r.name()
                        : ", " + t.paint("blocked", Style.RED) + " (see Guard)"));
            }
        }
        field("Stage", r.stage() == null ? t.paint("not recorded yet", Style.YELLOW) : t.paint(r.stage(), stageStyle(r.stage())));
        ProgressStatus p = r.progress();
        if (p != null && p.percent() != null) {
            field("Progress", Units.bar(p.percent()) + Units.rate(p.keysPerSecond(), p.etaSeconds()));
            line("              " + counts(p));
        }
        if (r.generation() != null && r.observedGeneration() != null && !r.generation().equals(r.observedGeneration())) {
            field("Note", t.paint("status describes generation " + r.observedGeneration() + "; the resource is at "
                    + r.generation() + " (the operator has not caught up yet)", Style.YELLOW));
        }
    }

    private static String counts(ProgressStatus p) {
        return Units.count(n(p.keysScanned())) + " scanned, " + Units.count(n(p.keysWritten())) + " written ("
                + Units.count(n(p.keysMerged())) + " merged or filled), " + Units.count(n(p.keysSkipped())) + " skipped, "
                + Units.count(n(p.keysFailed())) + " failed, " + Units.bytes(n(p.bytesWritten()));
    }

    private void blocked(Guards.Verdict v) {
        if (v == null) {
            return;
        }
        section("Guard");
        line("  " + t.paint(v.rung() + " is blocked", Style.RED) + " by the guard \"" + v.guard() + "\": " + v.reason());
        line("  It passes with " + v.satisfy() + ".");
    }

    private void sources(List<SourceView> sources) {
        section("Sources");
        int width = sources.stream().mapToInt(s -> Math.max(s.name().length(), s.parts() == null ? 0
                : ("  part " + s.parts().size() + "/" + s.parts().size()).length())).max().orElse(0);
        for (SourceView s : sources) {
            String stage = s.stage() == null ? "-" : s.stage();
            line("  " + pad(s.name(), width) + "  " + t.paint(pad(stage, 9), stageStyle(stage)) + " "
                    + Units.bar(s.percent() == null ? 0 : s.percent()) + Units.rate(s.keysPerSecond(), s.etaSeconds()));
            for (PartView p : s.parts() == null ? List.<PartView>of() : s.parts()) {
                line("  " + pad("  part " + p.part() + "/" + p.of(), width) + "  " + pad(p.stage(), 9) + " "
                        + Units.bar(p.percent()) + Units.rate(p.keysPerSecond(), p.etaSeconds()));
            }
            if (s.sync() != null) {
                line("  " + " ".repeat(width) + "  " + sync(s.sync()));
            }
            if (s.lastError() != null && !s.lastError().isEmpty()) {
                line("  " + " ".repeat(width) + "  " + t.paint("last error: " + s.lastError(), Style.RED));
            }
        }
    }

    /** A source's live sync: how far behind, where it stands, when it last applied changes. */
    private String sync(io.keyferry.api.SyncStatus s) {
        double lag = s.lagSeconds() == null ? 0 : s.lagSeconds();
        String behind = String.format(java.util.Locale.ROOT, "%.1f s behind", lag) + " (" + Units.count(n(s.changesBehind()))
                + (s.position() != null && s.position().startsWith("kvrocks-wal:") ? " log records" : " bytes") + " of changes)";
        return "sync: " + t.paint(behind, lag < 1 ? Style.GREEN : Style.YELLOW) + ", at " + s.position()
                + (s.lastAppliedAt() == null ? "" : ", last applied " + Units.age(s.lastAppliedAt(), now) + " ago");
    }

    private void verification(VerificationStatus v) {
        section("Verification");
        if (v == null) {
            line("  none yet");
            return;
        }
        String counts = Units.count(n(v.keysChecked())) + " keys checked, " + Units.count(n(v.mismatches())) + " different, "
                + Units.count(n(v.missing())) + " missing";
        line("  run " + v.round() + ": " + t.paint(counts, Guards.differing(v) == 0 ? Style.GREEN : Style.RED));
        List<VerificationStatus.Sample> samples = v.samples() == null ? List.of() : v.samples();
        if (!samples.isEmpty()) {
            line("  first keys that differ:");
            samples.forEach(s -> line("    " + s.key() + "  " + t.paint(s.reason(), Style.DIM)));
        }
    }

    private void conditions(List<ConditionView> conditions) {
        section("Conditions");
        int width = conditions.stream().mapToInt(c -> c.type().length()).max().orElse(0);
        for (ConditionView c : conditions) {
            Style s = c.type().equals("Reconciling") ? null : ConditionExplainer.healthy(c) ? Style.GREEN : Style.RED;
            String status = pad(c.status(), 5);
            line("  " + pad(c.type(), width) + "  " + (s == null ? status : t.paint(c.status(), s) + status.substring(c.status().length()))
                    + "  " + c.reason() + " (" + Units.age(c.lastTransitionTime(), now) + ")"
                    + (c.message() == null || c.message().isEmpty() ? "" : ": " + c.message()));
            if (!ConditionExplainer.healthy(c) || c.message() == null || c.message().isEmpty()) {
                explain(c, width);
            }
        }
        if (conditions.isEmpty()) {
            line("  none yet (the operator has not reconciled this resource)");
        }
    }

    /** What a condition means, and what to do about it, under its line. */
    private void explain(ConditionView c, int width) {
        String indent = "  " + " ".repeat(width) + "         ";
        if (c.meaning() != null && !said(c.message(), c.meaning())) {
            line(indent + t.paint(c.meaning(), Style.DIM));
        }
        if (c.action() != null) {
            line(indent + "what to do: " + c.action());
        }
    }

    /** The message already says what the meaning would (one starts with the other). */
    private static boolean said(String message, String meaning) {
        return message != null && !message.isEmpty() && (message.startsWith(meaning) || meaning.startsWith(message));
    }

    private void rollback(StatusReport r) {
        RollbackStatus rb = r.rollback();
        if (r.specPhase() == null) {
            return;
        }
        section("Rollback");
        if (rb == null || rb.to() == null) {
            line("  nothing to roll back to" + (r.phase() == null ? " yet" : ": " + r.phase() + " is the first rung"));
        } else {
            line("  a rollback goes to " + Names.of(rb.to()) + " (flag " + rb.flag() + "): kubectl keyferry rollback " + r.name());
        }
        List<RollbackStatus.Transition> h = rb == null || rb.history() == null ? List.of() : rb.history();
        if (h.size() > HISTORY_SHOWN) {
            line("  " + (h.size() - HISTORY_SHOWN) + " earlier transitions: -o yaml shows them");
        }
        Table table = new Table("  ", "AT", "FROM", "TO", "FLAG", "WHY");
        h.subList(Math.max(0, h.size() - HISTORY_SHOWN), h.size()).forEach(x -> table.row(x.at() + " (" + Units.age(x.at(), now)
                + ")", x.from() == null ? "-" : Names.of(x.from()), Names.of(x.to()), x.flag(), x.reason() == null ? "" : x.reason()));
        if (!h.isEmpty()) {
            b.append(table.render(t));
        }
    }

    private void workers(StatusReport r) {
        section("Workers");
        if (r.workers().isEmpty()) {
            line("  no worker pods");
            return;
        }
        Table table = new Table("  ", "POD", "ROLE", "STATUS", "RESTARTS", "AGE")
                .style(2, s -> s.equals("Running") ? Style.YELLOW : s.equals("Succeeded") || s.equals("Completed") ? Style.GREEN : Style.RED)
                .style(3, s -> s.equals("0") ? null : Style.RED);
        r.workers().forEach(w -> table.row(w.name(), w.role(), w.state(), Integer.toString(w.restarts()), Units.age(w.started(), now)));
        b.append(table.render(t));
    }

    static Style stageStyle(String stage) {
        return switch (stage) {
            case "Verified" -> Style.GREEN;
            case "Failed" -> Style.RED;
            default -> Style.YELLOW;
        };
    }

    private void section(String title) {
        b.append('\n');
        line(t.paint(title, Style.BOLD));
    }

    private void field(String name, String value) {
        line(pad(name + ":", 14) + value);
    }

    private void line(String s) {
        b.append(s).append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static long n(Long v) {
        return v == null ? 0 : v;
    }
}
