package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.FieldError;
import io.keyferry.api.Phase;
import io.keyferry.api.SpecValidator;
import io.keyferry.cutover.PhaseLadder;
import io.keyferry.engine.RoutingFlag;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DataMigration reconciler: observe (the migration's worker Jobs, their reports, the routing flag),
 * validate, decide ({@link Decider}, pure), act (write the flag, create Jobs, emit Events), and record
 * the status in one place, only when it changed. Expected failures (an invalid spec, a failed worker, an
 * unreachable flag store) become status and a Warning Event; only unexpected ones are retried by JOSDK.
 */
public final class DataMigrationReconciler implements Reconciler<DataMigration>, Cleaner<DataMigration>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataMigrationReconciler.class);
    /** How long a read of the routing flag is trusted before it is read again. */
    private static final Duration FLAG_READ_INTERVAL = Duration.ofSeconds(30);

    private final OperatorConfig config;
    private final WorkerJobs jobs;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private final ClientResources ioThreads = DefaultClientResources.create();
    private final Map<String, FlagRead> flags = new ConcurrentHashMap<>();
    private final StatusWrites statusWrites = new StatusWrites();
    private final Teardown teardown = new Teardown();
    private final JournalRetention retention = new JournalRetention();
    private final java.util.function.BooleanSupplier leading;

    private record FlagRead(String value, Instant at) {}

    /** @param leading whether this replica may write flags now: it holds the Lease (always, without leader election) */
    public DataMigrationReconciler(OperatorConfig config, OperatorMetrics metrics, Clock clock,
                                   java.util.function.BooleanSupplier leading) {
        this.leading = leading;
        this.config = config;
        this.jobs = new WorkerJobs(config);
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, DataMigration>> prepareEventSources(EventSourceContext<DataMigration> context) {
        String selector = WorkerJobs.MANAGED_BY_LABEL + "=" + WorkerJobs.MANAGED_BY;
        InformerEventSourceConfiguration<Job> jobConfig = InformerEventSourceConfiguration.from(Job.class, DataMigration.class)
                .withName("jobs").withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DataMigration.class, false))
                .withNamespacesInheritedFromController().build();
        InformerEventSourceConfiguration<ConfigMap> reportConfig = InformerEventSourceConfiguration
                .from(ConfigMap.class, DataMigration.class)
                .withName("reports").withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DataMigration.class, false))
                .withNamespacesInheritedFromController().build();
        return List.of(new InformerEventSource<>(jobConfig, context), new InformerEventSource<>(reportConfig, context));
    }

    @Override
    public UpdateControl<DataMigration> reconcile(DataMigration dm, Context<DataMigration> context) {
        Instant now = clock.instant();
        KubernetesClient client = context.getClient();
        Snapshot observed = observe(dm, context, now);
        Decider.Decision decision = Decider.decide(observed, now);

        // Act: the flag first, so the status never claims a phase whose flag is not written.
        // Every write is a compare-and-set on the flag this operator expects: the phase it moves from (nothing before
        // the first), or nothing where a lost flag is put back. A lost compare-and-set writes nothing and is adopted.
        if (decision.step() != null && leading.getAsBoolean()) { // the Lease checked again just before the write
            Phase from = decision.step().from();
            try {
                RoutingFlag.Swap swap = writeFlag(dm, client, from == null ? null : PhaseLadder.flag(from), decision.step().flag(), now);
                if (swap.written()) {
                    metrics.flagWritten(dm);
                } else {
                    decision = Decider.flagConflict(dm, decision, swap.found(), now);
                }
            } catch (RuntimeException e) {
                decision = Decider.flagUnavailable(dm, decision, e.getMessage(), now);
            }
        } else if (decision.step() != null) {
            decision = Decider.flagUnavailable(dm, decision, "this replica lost the Lease", now);
        } else if (decision.rewriteFlag() != null && leading.getAsBoolean()) {
            try {
                writeFlag(dm, client, null, decision.rewriteFlag(), now);
            } catch (RuntimeException e) {
                LOG.warn("{}/{}: cannot write the routing flag again: {}", dm.getMetadata().getNamespace(),
                        dm.getMetadata().getName(), e.getMessage());
            }
        }
        List<Decider.Event> acted = act(client, dm, decision);
        JournalRetention.Plan plan = JournalRetention.plan(dm, decision, observed.runs(), now);
        decision = leading.getAsBoolean() ? retention.carryOut(client, dm, plan, now) : plan.decision();

        // Record, and tell what changed: the Events that come with a status go out when it is written (just before).
        String uid = dm.getMetadata().getUid();
        DataMigrationStatus status = decision.status();
        Duration coalesced = sameStatus(dm.getStatus(), status) ? null : statusWrites.delay(uid, dm.getStatus(), status, now);
        boolean write = !sameStatus(dm.getStatus(), status) && coalesced == null;
        if (write) {
            acted.addAll(decision.events());
        }
        for (Decider.Event e : acted) {
            Events.emit(client, dm, e, now);
        }
        if (write) {
            statusWrites.written(uid, now);
            metrics.statusWritten();
            PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(dm, context, p -> {
                p.setStatus(status);
                return p;
            });
        }
        metrics.observe(dm, status, observed.runs(), now);
        UpdateControl<DataMigration> control = UpdateControl.noUpdate();
        Duration requeue = decision.requeue() == null ? coalesced
                : coalesced == null || decision.requeue().compareTo(coalesced) < 0 ? decision.requeue() : coalesced;
        if (requeue != null) {
            control.rescheduleAfter(requeue.isZero() ? Duration.ofMillis(50) : requeue);
        }
        return control;
    }

    /**
     * Everything the decision needs, read once: the spec's problems, the worker Jobs with their reports, what keeps
     * their pods from running, the Secrets workers would mount, the routing flag (or why it cannot be read), and
     * whether this replica holds the Lease.
     */
    private Snapshot observe(DataMigration dm, Context<DataMigration> context, Instant now) {
        KubernetesClient client = context.getClient();
        String uid = dm.getMetadata().getUid();
        List<FieldError> invalid = dm.getSpec() == null ? List.of(new FieldError("spec", "is required"))
                : SpecValidator.validate(dm);
        Map<String, ConfigMap> reports = context.getSecondaryResources(ConfigMap.class).stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), Function.identity(), (a, b) -> a));
        List<Job> jobs = context.getSecondaryResources(Job.class).stream()
                .filter(j -> uid.equals(j.getMetadata().getLabels().get(WorkerJobs.MIGRATION_LABEL))).toList();
        List<WorkerRun> runs = jobs.stream().map(j -> WorkerRun.of(j, reports.get(j.getMetadata().getName()))).toList();
        Snapshot.Flag flag = null;
        if (invalid.isEmpty() && dm.getSpec().getCutover() != null) {
            try {
                flag = Snapshot.Flag.of(readFlag(dm, client, now));
            } catch (RuntimeException e) {
                flag = Snapshot.Flag.unreadable(e.getMessage());
            }
        }
        // The Secrets a pod would mount are looked at while no worker runs: a Job is about to start, or nothing runs.
        boolean starting = invalid.isEmpty() && runs.stream().noneMatch(r -> r.state() == WorkerRun.State.ACTIVE);
        return new Snapshot(dm, invalid, starting ? missingSecrets(client, dm) : List.of(), runs, flag,
                leading.getAsBoolean(), WorkerPods.problems(client, dm, jobs, runs, now));
    }

    /** Deletes what the decision retires and creates the Jobs it starts; returns the Events of what was done. */
    private List<Decider.Event> act(KubernetesClient client, DataMigration dm, Decider.Decision decision) {
        String namespace = dm.getMetadata().getNamespace();
        List<Decider.Event> events = new ArrayList<>();
        for (String obsolete : decision.obsolete()) {
            client.batch().v1().jobs().inNamespace(namespace).withName(obsolete)
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
            events.add(Decider.Event.normal("WorkerStopped", "stopped " + obsolete + (decision.status().getStage()
                    == io.keyferry.api.Stage.ABORTING ? ": the migration is aborted" : ": the spec changed, a new attempt starts")));
        }
        for (String done : decision.pruned()) {
            client.batch().v1().jobs().inNamespace(namespace).withName(done)
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
            client.configMaps().inNamespace(namespace).withName(done).delete();
        }
        for (Decider.Create create : decision.creates()) {
            createWorker(client, dm, create, events);
        }
        return events;
    }

    /** The finalizer: with spec.cleanup: Delete, KeyFerry's keys leave the target before the resource goes. */
    @Override
    public DeleteControl cleanup(DataMigration dm, Context<DataMigration> context) {
        return teardown.run(context.getClient(), dm, clock.instant());
    }

    /**
     * An error no decision expected (the API server refused a write, say): JOSDK retries with backoff, and meanwhile
     * the status says so instead of standing still, with a Warning Event the first time the message is new.
     */
    @Override
    public ErrorStatusUpdateControl<DataMigration> updateErrorStatus(DataMigration dm, Context<DataMigration> context,
                                                                     Exception e) {
        Instant now = clock.instant();
        DataMigrationStatus status = Decider.reconcileError(dm, e, now);
        if (status == null) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        LOG.warn("{}/{}: reconcile failed, retried with backoff", dm.getMetadata().getNamespace(), dm.getMetadata().getName(), e);
        Events.emit(context.getClient(), dm, Decider.Event.warning("ReconcileError",
                Conditions.find(status.getConditions(), Conditions.RECONCILING).getMessage()), now);
        try {
            PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(dm, context, p -> {
                p.setStatus(status);
                return p;
            });
        } catch (RuntimeException again) {
            LOG.warn("{}/{}: cannot record the reconcile error in status: {}", dm.getMetadata().getNamespace(),
                    dm.getMetadata().getName(), again.getMessage());
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    private void createWorker(KubernetesClient client, DataMigration dm, Decider.Create c, List<Decider.Event> events) {
        Job job = jobs.job(dm, c.effective(), c.stage(), c.source(), c.shard(), c.attempt(), c.run(), c.repair(), c.dualWrite());
        String name = job.getMetadata().getName();
        try {
            client.configMaps().resource(jobs.reportConfigMap(dm, name, job.getMetadata().getLabels())).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        try {
            client.batch().v1().jobs().resource(job).create();
            metrics.jobCreated();
            String what = c.stage() == WorkerJobs.Stage.COPY
                    ? "copy of source " + c.effective().getSources().get(c.source()).getName()
                            + (WorkerJobs.shards(c.effective()) > 1 ? ", shard " + c.shard() + "/" + WorkerJobs.shards(c.effective()) : "")
                    : c.stage() == WorkerJobs.Stage.SYNC ? "sync of source " + c.effective().getSources().get(c.source()).getName()
                            + (WorkerJobs.shards(c.effective()) > 1 ? ", shard " + c.shard() + "/" + WorkerJobs.shards(c.effective()) : "")
                            + " (run " + c.run() + ", from the position saved in the target)"
                    : c.stage() == WorkerJobs.Stage.REVERSE_MARK ? "saving where the target stands, for the reverse sync,"
                    : c.stage() == WorkerJobs.Stage.REVERSE ? "reverse sync of the target into source "
                            + c.effective().getSources().get(0).getName() + " (run " + c.run() + ")"
                    : c.stage() == WorkerJobs.Stage.REVERSE_COPY ? "reverse copy and verification with repair of the target into"
                            + " source " + c.effective().getSources().get(0).getName() + " (run " + c.run() + ")"
                    : c.stage() == WorkerJobs.Stage.UNDO ? "the abort's undo from the journal"
                    : "verification (run " + c.run() + (c.repair() ? ", with repair" : "") + ")";
            events.add(Decider.Event.normal("WorkerStarted", "started " + what + " in Job " + name));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** Every secret reference of the endpoints workers open whose Secret or key is missing, with its field path. */
    private static List<FieldError> missingSecrets(KubernetesClient client, DataMigration dm) {
        List<FieldError> errors = new ArrayList<>();
        new KubernetesSecretResolver(client, dm.getMetadata().getNamespace()).problems(WorkerJobs.secretRefs(dm.getSpec()))
                .forEach((path, message) -> errors.add(new FieldError(path, message.substring(message.indexOf(": ") + 2))));
        return errors;
    }

    private String readFlag(DataMigration dm, KubernetesClient client, Instant now) {
        FlagRead last = flags.get(dm.getMetadata().getUid());
        if (last != null && Duration.between(last.at(), now).compareTo(FLAG_READ_INTERVAL) < 0) {
            return last.value();
        }
        String value = flag(dm, client).read();
        flags.put(dm.getMetadata().getUid(), new FlagRead(value, now));
        return value;
    }

    private RoutingFlag.Swap writeFlag(DataMigration dm, KubernetesClient client, String expected, String value, Instant now) {
        RoutingFlag.Swap swap = flag(dm, client).compareAndSet(expected, value);
        flags.put(dm.getMetadata().getUid(), new FlagRead(swap.found(), now));
        if (swap.written()) {
            LOG.info("{}/{}: routing flag {} set to {}", dm.getMetadata().getNamespace(), dm.getMetadata().getName(),
                    dm.getSpec().getCutover().getFlag().getKey(), value);
        } else {
            LOG.warn("{}/{}: routing flag {} not set to {}: it held {} where {} was expected", dm.getMetadata().getNamespace(),
                    dm.getMetadata().getName(), dm.getSpec().getCutover().getFlag().getKey(), value, swap.found(), expected);
        }
        return swap;
    }

    private RoutingFlag flag(DataMigration dm, KubernetesClient client) {
        return new RoutingFlag(dm.getSpec().getCutover().getFlag(),
                new KubernetesSecretResolver(client, dm.getMetadata().getNamespace()), ioThreads);
    }

    static boolean sameStatus(DataMigrationStatus a, DataMigrationStatus b) {
        return Objects.equals(a == null ? null : Serialization.asJson(a), b == null ? null : Serialization.asJson(b));
    }

    @Override
    public void close() {
        ioThreads.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
