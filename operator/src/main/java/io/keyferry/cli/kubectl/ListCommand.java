package io.keyferry.cli.kubectl;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.cli.ExitCodes;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kubectl keyferry list [-A]`: every migration, one line each, with a pending move shown as from->to. */
@Command(name = "list", aliases = "ls", sortOptions = false,
        description = "Lists the DataMigrations of a namespace (or of all, with -A).")
final class ListCommand extends PluginCommand {
    @Option(names = {"-A", "--all-namespaces"}, description = "Every namespace.")
    boolean all;

    @Mixin
    OutputOptions output;

    /** One migration in a list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Summary(String namespace, String name, String ready, String phase, String specPhase, String stage, Double percent,
                   String verified, Double lagSeconds, String flag, String created) {}

    ListCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        List<Summary> summaries = migrations().list(all).stream().map(ListCommand::summary).toList();
        if (!output.text()) {
            output.print(out(), summaries);
            return ExitCodes.OK;
        }
        if (summaries.isEmpty()) {
            err().println("No DataMigrations found" + (all ? "." : " in namespace " + migrations().namespace() + "."));
            return ExitCodes.OK;
        }
        Table table = all ? new Table("", "NAMESPACE", "NAME", "READY", "PHASE", "STAGE", "PROGRESS", "VERIFIED", "LAG", "FLAG", "AGE")
                : new Table("", "NAME", "READY", "PHASE", "STAGE", "PROGRESS", "VERIFIED", "LAG", "FLAG", "AGE");
        int offset = all ? 1 : 0;
        table.style(offset + 1, s -> s.equals("True") ? Terminal.Style.GREEN : Terminal.Style.YELLOW)
                .style(offset + 3, s -> s.equals("-") ? null : StatusText.stageStyle(s));
        for (Summary s : summaries) {
            List<String> cells = new java.util.ArrayList<>(List.of(s.name(), dash(s.ready()), phase(s), dash(s.stage()),
                    s.percent() == null ? "-" : String.format(Locale.ROOT, "%.1f%%", s.percent()), dash(s.verified()),
                    s.lagSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1fs", s.lagSeconds()), dash(s.flag()), Units.age(s.created(), now())));
            if (all) {
                cells.add(0, s.namespace());
            }
            table.row(cells.toArray(String[]::new));
        }
        out().print(table.render(env.terminal()));
        out().flush();
        return ExitCodes.OK;
    }

    static Summary summary(DataMigration dm) {
        DataMigrationStatus st = Guards.status(dm);
        return new Summary(dm.getMetadata().getNamespace(), dm.getMetadata().getName(), status(st, "Ready"),
                Names.of(st.getPhase()), Names.of(dm.getSpec().getPhase()), Names.of(st.getStage()),
                st.getProgress() == null ? null : st.getProgress().percent(), status(st, "Verified"), st.getSyncLagSeconds(),
                st.getFlag(),
                dm.getMetadata().getCreationTimestamp());
    }

    /** The phase in force, and where spec.phase asks to go when that is elsewhere: DualWrite->ReadTarget. */
    private static String phase(Summary s) {
        if (s.specPhase() == null) {
            return "-";
        }
        String inForce = s.phase() == null ? "none" : s.phase();
        return s.specPhase().equals(s.phase()) ? inForce : inForce + "->" + s.specPhase();
    }

    private static String status(DataMigrationStatus st, String type) {
        Condition c = Guards.find(st, type);
        return c == null ? null : c.getStatus();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
