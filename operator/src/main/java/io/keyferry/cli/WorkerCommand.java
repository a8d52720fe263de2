package io.keyferry.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.worker.ReportPublisher;
import io.keyferry.worker.Worker;
import io.keyferry.reconciler.HealthServer;
import io.keyferry.worker.WorkerEnvironment;
import io.keyferry.worker.WorkerMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `keyferry worker copy|verify`: one stage of a DataMigration, inside a Job the operator created. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs one stage of a DataMigration inside a worker Job (the operator creates these Jobs;"
                + " the spec, report ConfigMap and secrets come from the pod's environment and volumes).",
                "Exit codes: 0 the stage finished, 2 invalid input (not retried), 3 failed (a new pod resumes)."},
        subcommands = {WorkerCommand.Copy.class, WorkerCommand.Verify.class, WorkerCommand.Sync.class, WorkerCommand.Undo.class})
public final class WorkerCommand implements Runnable {
    /** How often a worker publishes its report. */
    static final long REPORT_PERIOD_MILLIS = 2000;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--metrics-port", paramLabel = "PORT", scope = CommandLine.ScopeType.INHERIT,
            description = "Serve this worker's metrics on /metrics at this port while it runs (Prometheus text); off unless given.")
    Integer metricsPort;

    /** Where a worker serves its metrics, and the labels they carry; null for no metrics. */
    public record MetricsOption(int port, String worker, String source, String shard) {}

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(name = "copy", description = "Copies one source into the target, resuming from the checkpoint in the target.")
    static final class Copy implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--source", required = true, paramLabel = "NAME", description = "spec.sources[].name")
        String source;

        @Option(names = "--shard", paramLabel = "K/N", defaultValue = "0/1",
                description = "Copy part K of N of the source (parallel workers, spec.worker.parallelism); default all of it.")
        String shard;

        @Option(names = "--guard-writes", description = "The application writes both stores (DualWrite): guard every write.")
        boolean guardWrites;

        @CommandLine.ParentCommand
        private WorkerCommand parent;

        @Override
        public Integer call() {
            int[] kn = shard(shard);
            return runStage(spec.commandLine().getOut(), worker -> worker.copy(source, kn[0], kn[1]), false, guardWrites,
                    parent.metrics("copy", source, kn[0] + "/" + kn[1]));
        }
    }

    @Command(name = "undo", description = {"Puts the target back as it was before the migration, from its undo journal"
            + " (spec.phase Aborted, spec.abort), resuming where an earlier worker stopped; then checks it."})
    static final class Undo implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @CommandLine.ParentCommand
        private WorkerCommand parent;

        @Override
        public Integer call() {
            return runStage(spec.commandLine().getOut(), Worker::undo, false, false, parent.metrics("undo", "*", "0/1"));
        }
    }

    @Command(name = "verify", description = "Verifies the target against every source under the policies.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--repair", description = "Copy keys that still differ after every round again.")
        boolean repair;

        @Option(names = "--extra-keys", description = "Also target keys no source has (dual-write); --repair deletes them.")
        boolean extraKeys;

        @CommandLine.ParentCommand
        private WorkerCommand parent;

        @Override
        public Integer call() {
            return runStage(spec.commandLine().getOut(), Worker::verify, repair, extraKeys, parent.metrics("verify", "*", "0/1"));
        }
    }

    @Command(name = "sync", description = {"Follows one source's changes into the target (spec.sync.mode Continuous),"
            + " from the position saved in the target, until the pod is told to stop (SIGTERM), which saves the position."})
    static final class Sync implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--source", paramLabel = "NAME", description = "spec.sources[].name")
        String source;

        @Option(names = "--shard", paramLabel = "K/N", defaultValue = "0/1",
                description = "Follow part K of N of the source (spec.worker.parallelism), as the copy's parts split it.")
        String shard;

        @Option(names = "--reverse", description = "Follow the target's changes back into the first source instead"
                + " (spec.cutover.reverseSync, while TargetOnly is in force).")
        boolean reverse;

        @Option(names = "--mark", description = "With --reverse: only save where the target stands now in the first source"
                + " (before TargetOnly), then exit.")
        boolean mark;

        @Option(names = "--copy", description = "With --reverse: copy and verify the first source against the target with"
                + " repair (a full reverse diff, deleting keys of its key range the target no longer has), then exit; for a"
                + " rollback from TargetOnly where the target has no change capture.")
        boolean copy;

        @CommandLine.ParentCommand
        private WorkerCommand parent;

        @Override
        public Integer call() {
            if (reverse == (source != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --source NAME or --reverse");
            }
            if ((mark || copy) && !reverse || mark && copy) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mark and --copy go with --reverse, one at a time");
            }
            int[] kn = shard(shard);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.set(true);
                try {
                    stopped.await(20, java.util.concurrent.TimeUnit.SECONDS); // within the pod's grace period
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return runStage(spec.commandLine().getOut(), worker -> mark ? worker.reverseMark() : copy ? worker.reverseCopy() : reverse ? worker.reverseSync(stop::get)
                        : worker.sync(source, kn[0], kn[1], stop::get), false, false,
                        parent.metrics("sync", reverse ? "reverse" : source, kn[0] + "/" + kn[1]));
            } finally {
                stopped.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: it waits for this
                }
            }
        }
    }

    /** @param dualWrite the application writes both stores: a copy guards its writes, a verification looks for extra keys */
    private static int runStage(PrintWriter out, java.util.function.ToIntFunction<Worker> stage, boolean repair,
                                boolean dualWrite, MetricsOption metrics) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return run(System.getenv(), client, out, stage, repair, dualWrite, metrics);
        }
    }

    private MetricsOption metrics(String worker, String source, String shard) {
        return metricsPort == null ? null : new MetricsOption(metricsPort, worker, source, shard);
    }

    /** "K/N" as {K, N}; {-1, 0} when it is not that shape (the worker then refuses it). */
    public static int[] shard(String value) {
        try {
            int slash = value.indexOf('/');
            return new int[] {Integer.parseInt(value.substring(0, slash).strip()), Integer.parseInt(value.substring(slash + 1).strip())};
        } catch (RuntimeException e) {
            return new int[] {-1, 0};
        }
    }

    /** A stage with the given environment and client: the pod's, or a test's. */
    public static int run(Map<String, String> env, KubernetesClient client, PrintWriter out,
                          java.util.function.ToIntFunction<Worker> stage, boolean repair, boolean dualWrite) {
        return run(env, client, out, stage, repair, dualWrite, null);
    }

    /** A stage as above, serving its metrics while it runs when {@code metrics} is not null. */
    public static int run(Map<String, String> env, KubernetesClient client, PrintWriter out,
                          java.util.function.ToIntFunction<Worker> stage, boolean repair, boolean dualWrite, MetricsOption metrics) {
        WorkerEnvironment we;
        try {
            we = WorkerEnvironment.from(env);
        } catch (MigrationInputException e) {
            out.println("keyferry worker: " + e.getMessage());
            return Worker.INVALID_INPUT;
        }
        io.keyferry.api.WorkerSpec sizing = we.spec().getWorker();
        io.keyferry.engine.redis.Timeouts.set(seconds(sizing.getConnectTimeoutSeconds(), io.keyferry.engine.redis.Timeouts.DEFAULT_CONNECT),
                seconds(sizing.getReplyTimeoutSeconds(), io.keyferry.engine.redis.Timeouts.DEFAULT_REPLY));
        try (ReportPublisher publisher = new ReportPublisher(
                ReportPublisher.configMap(client, we.namespace(), we.reportConfigMap()), REPORT_PERIOD_MILLIS, out::println);
             HealthServer served = metrics == null ? null : serve(metrics, we, publisher)) {
            if (served != null) {
                out.println("metrics on :" + served.port() + "/metrics");
            }
            Worker worker = new Worker(new Worker.Job(we.migration(), we.checkpointId(), we.spec(),
                    new FileSecretResolver(Path.of(we.secretsDir())), repair, dualWrite), publisher, out);
            return stage.applyAsInt(worker);
        } catch (MigrationInputException e) {
            out.println("keyferry worker: " + e.getMessage());
            return Worker.INVALID_INPUT;
        }
    }

    private static java.time.Duration seconds(Integer value, java.time.Duration unset) {
        return value == null || value < 1 ? unset : java.time.Duration.ofSeconds(value);
    }

    private static HealthServer serve(MetricsOption m, WorkerEnvironment we, ReportPublisher publisher) {
        if (m.port() < 0 || m.port() > 65535) {
            throw new MigrationInputException("--metrics-port " + m.port() + ": a port is 0 to 65535");
        }
        WorkerMetrics metrics = new WorkerMetrics(we.migration(), m.worker(), m.source(), m.shard(), publisher::latest);
        try {
            return new HealthServer("0.0.0.0", m.port(), () -> true, metrics::scrape);
        } catch (java.io.IOException e) {
            throw new MigrationInputException("--metrics-port " + m.port() + ": cannot listen there (" + e.getMessage()
                    + "); pass another port or leave the option out");
        }
    }
}
