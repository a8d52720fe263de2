package io.keyferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.keyferry.engine.CopyPlan;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-of-run summary: on the terminal a table per type and outcome and the verification counts
 * with sample keys; the same data as JSON for --report.
 */
final class Summary {
    private final String name;
    private final CopyPlan plan;
    private final CopyResult result;
    private final VerifyResult verified;

    /**
     * @param result   the copy, or null where only verification ran
     * @param verified the verification, or null where it did not run
     */
    Summary(String name, CopyPlan plan, CopyResult result, VerifyResult verified) {
        this.name = name;
        this.plan = plan;
        this.result = result;
        this.verified = verified;
    }

    /** What the probe found and how the copy will go, before anything is done. */
    static void printPlan(PrintWriter out, String heading, CopyPlan plan) {
        out.println(heading);
        plan.describe().forEach(line -> out.println("  " + line));
        out.flush();
    }

    static void printVerification(VerifyResult v, PrintWriter out) {
        out.printf("%nverification %s after %d round(s): %,d keys checked, %,d matched, %,d skipped by policy, "
                        + "%,d expired meanwhile, %,d mismatched, %,d missing%s, %.1f s%n",
                v.clean() ? "clean" : "FOUND DIFFERENCES", v.rounds(), v.keysChecked(), v.matched(), v.skipped(),
                v.expired(), v.mismatches(), v.missing(), (v.repaired() > 0 ? ", " + v.repaired() + " repaired" : "")
                        + (v.raced() > 0 ? ", " + v.raced() + " repairs raced by the application (looked at again)" : ""),
                v.elapsedMillis() / 1000.0);
        v.samples().stream().limit(20).forEach(s ->
                out.println("  " + s.key() + ": " + s.reason() + (s.repaired() ? " (repaired)" : "")));
        if (v.samples().size() > 20) {
            out.println("  ... " + (v.samples().size() - 20) + " more samples in the --report file");
        }
        out.flush();
    }

    static void printCopy(CopyResult result, PrintWriter out) {
        Counters c = result.total();
        List<Outcome> shown = new ArrayList<>();
        for (Outcome o : Outcome.values()) {
            if (c.total(o) > 0) {
                shown.add(o);
            }
        }
        out.printf("%ncopy finished: %,d keys scanned, %,d decided, %,d written to the target, %.1f s this run%n",
                result.keysScanned(), c.keys(), c.keysWritten(), result.elapsedMillis() / 1000.0);
        StringBuilder header = new StringBuilder(String.format("  %-8s", "type"));
        shown.forEach(o -> header.append(String.format(" %12s", shortLabel(o))));
        out.println(header);
        for (int row = 0; row < Counters.rows(); row++) {
            if (rowTotal(c, row, shown) == 0) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format("  %-8s", Counters.typeName(row)));
            for (Outcome o : shown) {
                line.append(String.format(" %,12d", c.get(row, o)));
            }
            out.println(line);
        }
        shown.forEach(o -> out.printf("  %-12s %s%n", shortLabel(o) + ":", o.meaning()));
        if (result.targetPauses() > 0) {
            out.printf("  paused %d time(s), %.2f s in all, because the target's writes slowed down%n", result.targetPauses(),
                    result.targetPausedNanos() / 1e9);
        }
        if (result.undo() != null) {
            out.printf("  undo journal: %,d keys' prior states, %,d bytes (keyferry undo puts them back)%n",
                    result.undo().keys(), result.undo().bytes());
        }
        if (!result.unsupported().isEmpty()) {
            out.println("  not copied (type KeyFerry cannot copy):");
            result.unsupported().stream().limit(20).forEach(k -> out.println("    " + k));
            if (result.unsupported().size() > 20) {
                out.println("    ... " + (result.unsupported().size() - 20) + " more in the --report file");
            }
        }
        out.flush();
    }

    private static long rowTotal(Counters c, int row, List<Outcome> shown) {
        long sum = 0;
        for (Outcome o : shown) {
            sum += c.get(row, o);
        }
        return sum;
    }

    private static String shortLabel(Outcome o) {
        String l = o.label();
        return l.startsWith("typeMismatch") ? "clash" + l.substring("typeMismatch".length()) : l;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("migration", name);
        json.put("status", verified == null || verified.clean() ? "Succeeded" : "MismatchesFound");
        if (result != null) {
            copyJson(json);
        }
        if (verified != null) {
            json.put("verification", verificationJson(verified));
        }
        return json;
    }

    private static Map<String, Object> verificationJson(VerifyResult v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clean", v.clean());
        m.put("rounds", v.rounds());
        m.put("keysChecked", v.keysChecked());
        m.put("matched", v.matched());
        m.put("skipped", v.skipped());
        m.put("expired", v.expired());
        m.put("mismatches", v.mismatches());
        m.put("missing", v.missing());
        m.put("repaired", v.repaired());
        m.put("repairsRaced", v.raced());
        m.put("elapsedSeconds", v.elapsedMillis() / 1000.0);
        m.put("samples", v.samples());
        return m;
    }

    private void copyJson(Map<String, Object> json) {
        json.put("startedAt", result.startedAt());
        json.put("finishedAt", result.finishedAt());
        json.put("elapsedSecondsThisRun", result.elapsedMillis() / 1000.0);
        Counters c = result.total();
        json.put("keysScanned", result.keysScanned());
        json.put("keysWritten", c.keysWritten());
        json.put("bytesCopied", c.bytes());
        json.put("targetPauses", result.targetPauses());
        json.put("targetPausedSeconds", result.targetPausedNanos() / 1e9);
        if (result.undo() != null) {
            json.put("undoJournal", Map.of("keys", result.undo().keys(), "bytes", result.undo().bytes()));
        }
        Map<String, Long> totals = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            totals.put(o.label(), c.total(o));
        }
        json.put("outcomes", totals);
        json.put("byType", byType(c));
        List<Map<String, Object>> sources = new ArrayList<>();
        for (int i = 0; i < plan.sources().size(); i++) {
            CopyPlan.SourcePlan sp = plan.sources().get(i);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", sp.name());
            s.put("server", sp.profile().describe());
            s.put("strategy", sp.strategy().reason());
            if (sp.backfill() != null) {
                s.put("backfill", sp.backfill());
            }
            s.put("byType", byType(result.perSource().getOrDefault(sp.name(), new Counters())));
            sources.add(s);
        }
        json.put("sources", sources);
        json.put("unsupportedKeys", result.unsupported());
    }

    private static Map<String, Map<String, Long>> byType(Counters c) {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (int row = 0; row < Counters.rows(); row++) {
            Map<String, Long> outcomes = new LinkedHashMap<>();
            for (Outcome o : Outcome.values()) {
                if (c.get(row, o) > 0) {
                    outcomes.put(o.label(), c.get(row, o));
                }
            }
            if (!outcomes.isEmpty()) {
                m.put(Counters.typeName(row), outcomes);
            }
        }
        return m;
    }

    void writeJson(Path file) {
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + file, e);
        }
    }
}
