package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.SecretKeyRef;
import io.keyferry.worker.WorkerEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The worker Jobs of a migration and their report ConfigMaps: names, labels and pod specs. A Job is
 * created once and never updated; a new attempt (another spec, or a new spec.retryNonce) has another
 * name. Both objects are owned by the DataMigration, so deleting it deletes them (and nothing in the
 * stores).
 */
public final class WorkerJobs {
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "keyferry-operator";
    public static final String MIGRATION_LABEL = "keyferry.io/migration-uid";
    public static final String STAGE_LABEL = "keyferry.io/stage";
    public static final String SOURCE_LABEL = "keyferry.io/source-index";
    public static final String ATTEMPT_LABEL = "keyferry.io/attempt";
    public static final String RUN_LABEL = "keyferry.io/run";
    public static final String SHARD_LABEL = "keyferry.io/shard";
    public static final String CONTAINER = "worker";
    /** The worker's exit code for input it cannot use: the Job fails at once instead of retrying. */
    static final int INVALID_INPUT_EXIT = 2;

    public enum Stage {
        COPY("copy"), VERIFY("verify"), SYNC("sync"), REVERSE("reverse"), REVERSE_MARK("reverse-mark"),
        REVERSE_COPY("reverse-copy"), UNDO("undo");

        final String label;

        Stage(String label) {
            this.label = label;
        }

        static Stage fromLabel(String label) {
            return "verify".equals(label) ? VERIFY : "sync".equals(label) ? SYNC : "reverse".equals(label) ? REVERSE
                    : "reverse-mark".equals(label) ? REVERSE_MARK : "reverse-copy".equals(label) ? REVERSE_COPY : "undo".equals(label) ? UNDO : COPY;
        }
    }

    private final OperatorConfig config;

    public WorkerJobs(OperatorConfig config) {
        this.config = config;
    }

    /**
     * The attempt an effective spec belongs to: a digest of what the workers are given (sources, target,
     * policies, verification, pacing) and spec.retryNonce. Any change to them is a new attempt, whose Jobs
     * have new names; the copy still resumes from the checkpoint in the target where the copy is unchanged.
     */
    public static String attempt(DataMigrationSpec effective) {
        return io.keyferry.api.SpecDigest.of(attemptParts(effective)).substring(0, 8);
    }

    /** The attempt as the version before the canonical digest named it: its Jobs still belong to this attempt. */
    public static String legacyAttempt(DataMigrationSpec effective) {
        return io.keyferry.api.SpecDigest.legacy(attemptParts(effective)).substring(0, 8);
    }

    private static Map<String, Object> attemptParts(DataMigrationSpec effective) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("sources", effective.getSources());
        identity.put("target", effective.getTarget());
        identity.put("policies", effective.getPolicies());
        identity.put("verify", effective.getVerify());
        identity.put("worker", effective.getWorker());
        identity.put("retryNonce", effective.getRetryNonce());
        return identity;
    }

    /** A Job name within 63 characters: a long migration name is cut and a digest of it keeps names apart. */
    public static String jobName(DataMigration dm, Stage stage, int source, int shard, int shards, String attempt, int run) {
        String base = dm.getMetadata().getName();
        if (base.length() > 28) {
            base = base.substring(0, 22) + "-" + io.keyferry.api.SpecDigest.of(base).substring(0, 5);
        }
        if (stage == Stage.VERIFY) {
            return base + "-verify-" + attempt + "-" + run;
        }
        if (stage == Stage.UNDO) { // one per attempt: a new pod or a new attempt's Job resumes from the saved progress
            return base + "-undo-" + attempt;
        }
        if (stage == Stage.SYNC) { // a restart of a lost sync worker is a new run
            return base + "-sync-" + source + (shards == 1 ? "" : "s" + shard) + "-" + attempt + "-" + run;
        }
        if (stage == Stage.REVERSE || stage == Stage.REVERSE_MARK || stage == Stage.REVERSE_COPY) {
            return base + "-" + stage.label + "-" + attempt + "-" + run;
        }
        return base + "-copy-" + source + (shards == 1 ? "" : "s" + shard) + "-" + attempt;
    }

    /** How many workers copy each source: spec.worker.parallelism. */
    public static int shards(DataMigrationSpec spec) {
        Integer p = spec.getWorker().getParallelism();
        return p == null || p < 1 ? 1 : p;
    }

    /** The report ConfigMap of a Job: same name, owned by the migration, written by the worker. */
    public ConfigMap reportConfigMap(DataMigration dm, String jobName, Map<String, String> labels) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(jobName).withNamespace(dm.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(owner(dm)).endMetadata()
                .build();
    }

    public Map<String, String> labels(DataMigration dm, Stage stage, int source, int shard, String attempt, int run) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "keyferry");
        labels.put("app.kubernetes.io/component", "worker");
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(MIGRATION_LABEL, dm.getMetadata().getUid());
        labels.put(STAGE_LABEL, stage.label);
        labels.put(ATTEMPT_LABEL, attempt);
        if (stage == Stage.COPY) {
            labels.put(SOURCE_LABEL, Integer.toString(source));
            labels.put(SHARD_LABEL, Integer.toString(shard));
        } else if (stage == Stage.SYNC) {
            labels.put(SOURCE_LABEL, Integer.toString(source));
            labels.put(SHARD_LABEL, Integer.toString(shard));
            labels.put(RUN_LABEL, Integer.toString(run));
        } else {
            labels.put(RUN_LABEL, Integer.toString(run));
        }
        return labels;
    }

    /**
     * The Job of one stage: `keyferry worker copy --source NAME`, `keyferry worker verify` or `keyferry worker sync
     * --source NAME`, given the
     * effective spec in its environment and every Secret the spec refers to as a read-only volume.
     */
    public Job job(DataMigration dm, DataMigrationSpec effective, Stage stage, int source, int shard, String attempt, int run,
                   boolean repair, boolean dualWrite) {
        int shards = shards(effective);
        String name = jobName(dm, stage, source, shard, shards, attempt, run);
        Map<String, String> labels = labels(dm, stage, source, shard, attempt, run);
        List<String> args = new ArrayList<>(List.of("worker", stage == Stage.REVERSE || stage == Stage.REVERSE_MARK
                || stage == Stage.REVERSE_COPY ? "sync" : stage.label));
        if (stage == Stage.COPY) {
            args.addAll(List.of("--source", effective.getSources().get(source).getName()));
            if (shards > 1) {
                args.addAll(List.of("--shard", shard + "/" + shards));
            }
            if (dualWrite) {
                args.add("--guard-writes");
            }
        } else if (stage == Stage.SYNC) { // long-running: no activeDeadlineSeconds, stopped by deleting the Job
            args.addAll(List.of("--source", effective.getSources().get(source).getName()));
            if (shards > 1) {
                args.addAll(List.of("--shard", shard + "/" + shards));
            }
        } else if (stage == Stage.REVERSE) { // long-running too: the target followed back into the first source
            args.add("--reverse");
        } else if (stage == Stage.REVERSE_MARK) { // short: saves where the target stands, before TargetOnly
            args.addAll(List.of("--reverse", "--mark"));
        } else if (stage == Stage.REVERSE_COPY) { // a rollback from TargetOnly without change capture: a full reverse diff
            args.addAll(List.of("--reverse", "--copy"));
        } else {
            if (repair) {
                args.add("--repair");
            }
            if (dualWrite) {
                args.add("--extra-keys");
            }
        }
        String namespace = dm.getMetadata().getNamespace();
        List<EnvVar> env = List.of(
                env(WorkerEnvironment.MIGRATION, namespace + "/" + dm.getMetadata().getName()),
                env(WorkerEnvironment.NAMESPACE, namespace),
                env(WorkerEnvironment.CHECKPOINT_ID, dm.getMetadata().getUid()),
                env(WorkerEnvironment.REPORT, name),
                env(WorkerEnvironment.SECRETS_DIR, WorkerEnvironment.DEFAULT_SECRETS_DIR),
                env(WorkerEnvironment.SPEC, WorkerEnvironment.specJson(effective)),
                env("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75"));
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        int i = 0;
        for (String secret : secretNames(effective)) {
            String volume = "secret-" + i++;
            volumes.add(new VolumeBuilder().withName(volume).withNewSecret().withSecretName(secret).endSecret().build());
            mounts.add(new VolumeMountBuilder().withName(volume).withReadOnly(true)
                    .withMountPath(WorkerEnvironment.DEFAULT_SECRETS_DIR + "/" + secret).build());
        }
        String image = effective.getWorker().getImage() != null && !effective.getWorker().getImage().isBlank()
                ? effective.getWorker().getImage() : config.workerImage();
        Job job = new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withOwnerReferences(owner(dm)).endMetadata()
                .withNewSpec()
                .withBackoffLimit(effective.getWorker().getBackoffLimit())
                .withNewPodFailurePolicy()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName(CONTAINER).withOperator("In")
                .withValues(INVALID_INPUT_EXIT).endOnExitCodes().endRule()
                // A node drained or a pod preempted is no failure of the worker's: it uses up no backoffLimit.
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").withStatus("True")
                .endOnPodCondition().endRule()
                .endPodFailurePolicy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withServiceAccountName(config.workerServiceAccount())
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer()
                .withName(CONTAINER).withImage(image).withArgs(args).withEnv(env).withVolumeMounts(mounts)
                .withResources(effective.getWorker().getResources())
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        PodTemplates.merge(job.getSpec().getTemplate(), config.workerPods());
        PodTemplates.merge(job.getSpec().getTemplate(), effective.getWorker().getPodTemplate());
        return job;
    }

    /** Every Secret the spec refers to, for the endpoints the workers open (the flag is the operator's). */
    static Set<String> secretNames(DataMigrationSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        secretRefs(spec).values().forEach(ref -> names.add(ref.getName()));
        return names;
    }

    /** The secret references of the endpoints workers open, by field path. */
    static Map<String, SecretKeyRef> secretRefs(DataMigrationSpec spec) {
        Map<String, SecretKeyRef> refs = new LinkedHashMap<>();
        for (int i = 0; i < spec.getSources().size(); i++) {
            addSecrets("spec.sources[" + i + "].endpoint", spec.getSources().get(i).getEndpoint(), refs);
        }
        addSecrets("spec.target.endpoint", spec.getTarget().getEndpoint(), refs);
        if (spec.getUndo() != null && spec.getUndo().getStore() != null) {
            addSecrets("spec.undo.store", spec.getUndo().getStore(), refs);
        }
        return refs;
    }

    private static void addSecrets(String path, EndpointSpec e, Map<String, SecretKeyRef> refs) {
        put(refs, path + ".usernameSecretRef", e.getUsernameSecretRef());
        put(refs, path + ".passwordSecretRef", e.getPasswordSecretRef());
        put(refs, path + ".tls.caSecretRef", e.getTls() == null ? null : e.getTls().getCaSecretRef());
    }

    private static void put(Map<String, SecretKeyRef> refs, String path, SecretKeyRef ref) {
        if (ref != null && ref.getName() != null) {
            refs.put(path, ref);
        }
    }

    static OwnerReference owner(DataMigration dm) {
        return new OwnerReferenceBuilder().withApiVersion(DataMigration.API_VERSION).withKind(DataMigration.KIND)
                .withName(dm.getMetadata().getName()).withUid(dm.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

}
