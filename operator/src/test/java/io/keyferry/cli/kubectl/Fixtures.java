package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.ProgressStatus;
import io.keyferry.api.RollbackStatus;
import io.keyferry.api.SourceStatus;
import io.keyferry.api.Stage;
import io.keyferry.api.VerificationStatus;
import io.keyferry.reconciler.WorkerJobs;
import io.keyferry.worker.WorkerReport;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DataMigrations as the operator leaves them in each stage and phase, with the worker pods and report ConfigMaps
 * it makes, put into the mock API server. Times are fixed, so the status view is the same on every run.
 */
final class Fixtures {
    static final String NS = "test";
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String CREATED = "2026-12-06T09:00:00Z";

    private Fixtures() {}

    /** A migration of two sources into one target; with a cutover when {@code phase} is given. */
    static DataMigration migration(String name, Phase phase, int parallelism) {
        DataMigration dm = Serialization.unmarshal("""
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
                spec:
                  sources:
                    - {name: old-0, endpoint: {uri: "redis://old-0:6379/0"}}
                    - {name: old-1, endpoint: {uri: "redis://old-1:6379/0"}}
                  target: {endpoint: {uri: "redis://kvrocks:6666/0"}}
                  worker: {parallelism: %d}
                """.formatted(name, NS, CREATED, parallelism), DataMigration.class);
        if (phase != null) {
            dm.getSpec().setPhase(phase);
            dm.getSpec().setCutover(Serialization.unmarshal("""
                    flag: {endpoint: {uri: "redis://app:6379/0"}, key: migrate_user}
                    maxMismatches: 0
                    reverifySeconds: 300
                    """, io.keyferry.api.CutoverSpec.class));
        }
        return dm;
    }

    static DataMigrationStatus status(Stage stage, Phase inForce) {
        DataMigrationStatus st = new DataMigrationStatus();
        st.setObservedGeneration(1L);
        st.setStage(stage);
        st.setPhase(inForce);
        st.setFlag(inForce == null ? null : io.keyferry.cutover.PhaseLadder.flag(inForce));
        return st;
    }

    static Condition condition(String type, boolean status, String reason, String message, String since) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).withObservedGeneration(1L).withLastTransitionTime(since).build();
    }

    static SourceStatus source(String name, Stage stage, double percent, String error) {
        return new SourceStatus(name, stage, percent, percent >= 100 ? "done" : "1234", error);
    }

    static ProgressStatus progress(double percent, long scanned, long rate, Long eta) {
        return new ProgressStatus(percent, scanned, scanned - 10, 10L, 100L, 0L, scanned * 512, rate, eta);
    }

    static VerificationStatus verification(int round, long checked, long mismatches, long missing) {
        List<VerificationStatus.Sample> samples = new ArrayList<>();
        for (int i = 0; i < Math.min(3, mismatches + missing); i++) {
            samples.add(new VerificationStatus.Sample("user:" + i, i < mismatches ? "hash field name differs" : "missing"));
        }
        return new VerificationStatus(round, checked, mismatches, missing, samples);
    }

    /** The ladder walked from SourceOnly to {@code last}, one transition every ten minutes from 09:00. */
    static RollbackStatus history(Phase... walk) {
        List<RollbackStatus.Transition> h = new ArrayList<>();
        Phase from = null;
        Instant at = Instant.parse(CREATED);
        for (Phase to : walk) {
            boolean back = from != null && to.ordinal() < from.ordinal();
            String reason = (back ? "rollback: " : "") + "spec.phase is " + Names.of(to)
                    + (back && from == Phase.TARGET_ONLY ? "; rolled back from TargetOnly: the old store missed every write"
                    + " made while TargetOnly was in force" : "");
            h.add(new RollbackStatus.Transition(from, to, io.keyferry.cutover.PhaseLadder.flag(to), at.toString(), reason));
            from = to;
            at = at.plusSeconds(600);
        }
        Phase back = io.keyferry.cutover.PhaseLadder.rollbackTarget(from);
        return new RollbackStatus(back, back == null ? null : io.keyferry.cutover.PhaseLadder.flag(back), h);
    }

    /** A worker pod the Job controller made for a copy part (source index, shard) or a verification run (source -1). */
    static Pod pod(DataMigration dm, String name, int source, int shard, int run, String phase, String waiting, int restarts) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid());
        labels.put(WorkerJobs.STAGE_LABEL, source < 0 ? "verify" : "copy");
        labels.put(WorkerJobs.ATTEMPT_LABEL, "a1b2c3d4");
        if (source < 0) {
            labels.put(WorkerJobs.RUN_LABEL, Integer.toString(run));
        } else {
            labels.put(WorkerJobs.SOURCE_LABEL, Integer.toString(source));
            labels.put(WorkerJobs.SHARD_LABEL, Integer.toString(shard));
        }
        io.fabric8.kubernetes.api.model.ContainerStateBuilder state = new io.fabric8.kubernetes.api.model.ContainerStateBuilder();
        if (waiting != null) {
            state.withNewWaiting().withReason(waiting).endWaiting();
        } else {
            state.withNewRunning().withStartedAt("2026-12-06T09:40:00Z").endRunning();
        }
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels)
                .withCreationTimestamp("2026-12-06T09:40:00Z").endMetadata()
                .withNewSpec().addNewContainer().withName(WorkerJobs.CONTAINER).withImage("keyferry").endContainer().endSpec()
                .withNewStatus().withPhase(phase).withStartTime("2026-12-06T09:40:00Z")
                .addNewContainerStatus().withName(WorkerJobs.CONTAINER).withRestartCount(restarts).withState(state.build())
                .endContainerStatus().endStatus();
        return b.build();
    }

    /** A copy worker's report ConfigMap. */
    static ConfigMap report(DataMigration dm, int source, int shard, String stage, double percent, long rate, long eta) {
        WorkerReport r = new WorkerReport();
        r.stage = stage;
        r.percent = percent;
        r.keysPerSecond = rate;
        r.etaSeconds = eta;
        r.keysScanned = (long) (percent * 100);
        return new ConfigMapBuilder().withNewMetadata().withName(dm.getMetadata().getName() + "-copy-" + source + "s" + shard)
                .withNamespace(NS).withCreationTimestamp("2026-12-06T09:40:00Z")
                .withLabels(Map.of(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid(), WorkerJobs.STAGE_LABEL, "copy",
                        WorkerJobs.ATTEMPT_LABEL, "a1b2c3d4", WorkerJobs.SOURCE_LABEL, Integer.toString(source),
                        WorkerJobs.SHARD_LABEL, Integer.toString(shard)))
                .endMetadata().withData(Map.of(WorkerReport.DATA_KEY, r.toJson())).build();
    }

    /** Puts a migration (with its status, as the operator wrote it) into the API server. */
    static DataMigration put(KubernetesClient client, DataMigration dm) {
        DataMigrationStatus st = dm.getStatus();
        DataMigration created = client.resource(dm).create();
        if (st != null) {
            st.setObservedGeneration(created.getMetadata().getGeneration());
            created.setStatus(st);
            created = client.resource(created).updateStatus();
        }
        return created;
    }
}
