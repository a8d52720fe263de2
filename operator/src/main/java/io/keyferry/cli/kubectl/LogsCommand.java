package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.keyferry.api.DataMigration;
import io.keyferry.cli.ExitCodes;
import io.keyferry.reconciler.WorkerJobs;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kubectl keyferry logs NAME [--source S]`: the worker pods' logs, each line prefixed with its pod when there are several. */
@Command(name = "logs", sortOptions = false,
        description = "Prints the logs of a DataMigration's worker pods (the worker container), oldest pod first.")
final class LogsCommand extends MigrationCommand {
    @Option(names = "--source", paramLabel = "S", description = "Only the copy workers of this source (spec.sources[].name).")
    String source;

    @Option(names = {"-f", "--follow"}, description = "Keep printing as the workers log, until every pod's log ends.")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines of each pod.")
    Integer tail;

    LogsCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() throws InterruptedException {
        DataMigration dm = migrations().get(name);
        List<Pod> pods = selected(dm);
        if (pods.isEmpty()) {
            throw new PluginException(ExitCodes.NOT_FOUND, "no worker pods of " + name + (source == null ? "" : " for source "
                    + source) + " in namespace " + migrations().namespace() + " (they run while DualWrite is in force, or"
                    + " for a one-shot migration; finished ones go when their Job is deleted)");
        }
        boolean prefix = pods.size() > 1;
        if (follow) {
            follow(pods, prefix);
        } else {
            for (Pod p : pods) {
                print(p, prefix);
            }
        }
        out().flush();
        return ExitCodes.OK;
    }

    private List<Pod> selected(DataMigration dm) {
        List<Pod> pods = migrations().workerPods(dm);
        if (source == null) {
            return pods;
        }
        List<String> names = dm.getSpec().getSources().stream().map(s -> s.getName()).toList();
        int index = names.indexOf(source);
        if (index < 0) {
            throw new PluginException(ExitCodes.INVALID_INPUT, "--source " + source + ": " + name + " has no such source;"
                    + " its sources are " + String.join(", ", names));
        }
        return pods.stream().filter(p -> "copy".equals(StatusReports.label(p, WorkerJobs.STAGE_LABEL))
                && Integer.toString(index).equals(StatusReports.label(p, WorkerJobs.SOURCE_LABEL))).toList();
    }

    private ContainerResource container(Pod p) {
        return migrations().client().pods().inNamespace(migrations().namespace()).withName(p.getMetadata().getName())
                .inContainer(WorkerJobs.CONTAINER);
    }

    private void print(Pod p, boolean prefix) {
        String log;
        try {
            log = tail == null ? container(p).getLog() : container(p).tailingLines(tail).getLog();
        } catch (KubernetesClientException e) {
            err().println(p.getMetadata().getName() + ": no log (" + Migrations.reason(e) + ")");
            return;
        }
        PrintWriter out = out();
        log.lines().forEach(line -> out.println(prefix ? "[" + p.getMetadata().getName() + "] " + line : line));
    }

    private void follow(List<Pod> pods, boolean prefix) throws InterruptedException {
        List<LogWatch> watches = new ArrayList<>();
        List<PrefixedLines> sinks = new ArrayList<>();
        for (Pod p : pods) {
            PrefixedLines sink = new PrefixedLines(out(), prefix ? "[" + p.getMetadata().getName() + "] " : "");
            sinks.add(sink);
            watches.add(tail == null ? container(p).watchLog(sink) : container(p).tailingLines(tail).watchLog(sink));
        }
        for (int i = 0; i < watches.size(); i++) {
            try {
                watches.get(i).onClose().toCompletableFuture().get();
            } catch (java.util.concurrent.ExecutionException e) {
                err().println(pods.get(i).getMetadata().getName() + ": the log stream broke off (" + e.getCause() + ")");
            } finally {
                watches.get(i).close();
                sinks.get(i).close();
            }
        }
    }
}
