package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.SourceStatus;
import io.keyferry.cli.kubectl.StatusReport.PartView;
import io.keyferry.cli.kubectl.StatusReport.SourceView;
import io.keyferry.cli.kubectl.StatusReport.WorkerView;
import io.keyferry.reconciler.WorkerJobs;
import io.keyferry.worker.WorkerReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Builds the {@link StatusReport} of a snapshot: status as recorded, plus what the workers' pods and reports say. */
final class StatusReports {
    private StatusReports() {}

    static StatusReport of(MigrationSnapshot s) {
        DataMigration dm = s.dm();
        DataMigrationSpec spec = dm.getSpec();
        DataMigrationStatus st = Guards.status(dm);
        String name = dm.getMetadata().getName();
        Phase next = nextRung(dm);
        return new StatusReport(dm.getMetadata().getNamespace(), name, Names.of(spec.getPhase()), Names.of(st.getPhase()),
                st.getFlag(), Names.of(next), Names.of(st.getStage()), dm.getMetadata().getGeneration(),
                st.getObservedGeneration(), st.getProgress(), sources(spec, st, copyReports(s.reports())), st.getVerification(),
                next == null ? null : Guards.check(dm, st.getPhase(), next),
                st.getConditions() == null ? List.of() : st.getConditions().stream()
                        .map(c -> ConditionExplainer.explain(c, name)).toList(),
                st.getRollback(), workers(spec, s.pods()));
    }

    /** The rung after the one in force, unless a rollback is asked for or TargetOnly is in force. */
    private static Phase nextRung(DataMigration dm) {
        Phase inForce = Guards.status(dm).getPhase();
        Phase desired = dm.getSpec().getPhase();
        if (inForce == null || desired == null || desired == Phase.ABORTED || desired.ordinal() < inForce.ordinal()
                || inForce == Phase.TARGET_ONLY) {
            return null;
        }
        return Phase.values()[inForce.ordinal() + 1];
    }

    private static List<SourceView> sources(DataMigrationSpec spec, DataMigrationStatus st, Map<Integer, List<PartView>> parts) {
        List<SourceView> out = new ArrayList<>();
        List<SourceStatus> recorded = st.getSources() == null ? List.of() : st.getSources();
        for (int i = 0; i < spec.getSources().size(); i++) {
            String name = spec.getSources().get(i).getName();
            SourceStatus ss = recorded.stream().filter(r -> name.equals(r.name())).findFirst().orElse(null);
            List<PartView> mine = parts.getOrDefault(i, List.of());
            List<PartView> copying = mine.stream().filter(p -> WorkerReport.COPYING.equals(p.stage())).toList();
            Long rate = copying.isEmpty() ? null : copying.stream().mapToLong(PartView::keysPerSecond).sum();
            Long eta = copying.stream().map(PartView::etaSeconds).filter(e -> e != null)
                    .max(Comparator.naturalOrder()).orElse(null);
            out.add(new SourceView(name, ss == null ? null : Names.of(ss.stage()), ss == null ? null : ss.percent(), rate, eta,
                    ss == null ? null : ss.lastError(), mine.size() > 1 ? mine : null, ss == null ? null : ss.sync()));
        }
        return out;
    }

    /** The copy reports of the newest attempt, per source index, in part order. */
    private static Map<Integer, List<PartView>> copyReports(List<ConfigMap> reports) {
        List<ConfigMap> copies = reports.stream().filter(c -> "copy".equals(label(c, WorkerJobs.STAGE_LABEL))).toList();
        String attempt = copies.stream().max(Comparator.comparing((ConfigMap c) -> String.valueOf(c.getMetadata().getCreationTimestamp())))
                .map(c -> label(c, WorkerJobs.ATTEMPT_LABEL)).orElse(null);
        Map<Integer, List<PartView>> bySource = new java.util.TreeMap<>();
        for (ConfigMap c : copies) {
            WorkerReport r = c.getData() == null ? null : WorkerReport.parse(c.getData().get(WorkerReport.DATA_KEY));
            if (r == null || !java.util.Objects.equals(attempt, label(c, WorkerJobs.ATTEMPT_LABEL))) {
                continue;
            }
            int source = number(label(c, WorkerJobs.SOURCE_LABEL));
            bySource.computeIfAbsent(source, k -> new ArrayList<>()).add(new PartView(number(label(c, WorkerJobs.SHARD_LABEL)) + 1, 0,
                    r.stage, r.percent, r.keysPerSecond, r.etaSeconds < 0 ? null : r.etaSeconds));
        }
        bySource.replaceAll((k, parts) -> parts.stream().sorted(Comparator.comparingInt(PartView::part))
                .map(p -> new PartView(p.part(), parts.size(), p.stage(), p.percent(), p.keysPerSecond(), p.etaSeconds())).toList());
        return bySource;
    }

    private static List<WorkerView> workers(DataMigrationSpec spec, List<Pod> pods) {
        return pods.stream().map(p -> new WorkerView(p.getMetadata().getName(), role(spec, p), state(p), restarts(p),
                p.getStatus() != null && p.getStatus().getStartTime() != null ? p.getStatus().getStartTime()
                        : p.getMetadata().getCreationTimestamp())).toList();
    }

    /** "copy pika-0 part 2/4", "copy pika-0", "verify run 3". */
    static String role(DataMigrationSpec spec, Pod p) {
        if ("verify".equals(label(p, WorkerJobs.STAGE_LABEL))) {
            return "verify run " + label(p, WorkerJobs.RUN_LABEL);
        }
        int source = number(label(p, WorkerJobs.SOURCE_LABEL));
        List<SourceSpec> sources = spec.getSources();
        String name = source >= 0 && source < sources.size() ? sources.get(source).getName() : "source #" + source;
        int parts = WorkerJobs.shards(spec);
        return "copy " + name + (parts > 1 ? " part " + (number(label(p, WorkerJobs.SHARD_LABEL)) + 1) + "/" + parts : "");
    }

    /** kubectl's STATUS column: a waiting or terminated container's reason wins over the pod's phase. */
    private static String state(Pod p) {
        List<ContainerStatus> cs = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of()
                : p.getStatus().getContainerStatuses();
        for (ContainerStatus c : cs) {
            if (c.getState() != null && c.getState().getWaiting() != null && c.getState().getWaiting().getReason() != null) {
                return c.getState().getWaiting().getReason();
            }
            if (c.getState() != null && c.getState().getTerminated() != null && c.getState().getTerminated().getReason() != null) {
                return c.getState().getTerminated().getReason();
            }
        }
        return p.getStatus() == null || p.getStatus().getPhase() == null ? "Unknown" : p.getStatus().getPhase();
    }

    private static int restarts(Pod p) {
        return p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
    }

    static String label(io.fabric8.kubernetes.api.model.HasMetadata o, String key) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return labels == null ? null : labels.get(key);
    }

    private static int number(String s) {
        try {
            return s == null ? -1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
