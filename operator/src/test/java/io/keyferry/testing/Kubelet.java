package io.keyferry.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyferry.cli.WorkerCommand;
import io.keyferry.worker.WorkerEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Plays the kubelet and the Job controller against the mock API server: every Job the operator creates
 * is run as pods would run it, here (in-process, with the container's args and env, the Secret volumes
 * written to a temp directory) or in a child JVM a test can kill. It honours backoffLimit and the
 * podFailurePolicy's exit code 2, and writes the Job's status conditions as the Job controller does.
 */
public final class Kubelet implements AutoCloseable {
    /** How a test sees one pod of a Job. */
    public record Pod(Job job, int attempt, ChildJvm child) {}

    private final KubernetesClient client;
    private final KubernetesClient workers;
    private final String namespace;
    private final ExecutorService pods = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kubelet-pod");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;
    private volatile Consumer<Job> beforePod = j -> { };
    private volatile Predicate<Job> inChildJvm = j -> false;
    private volatile Consumer<Pod> childStarted = p -> { };
    private volatile java.util.function.Function<Job, io.fabric8.kubernetes.api.model.PodStatus> stuck = j -> null;
    private volatile boolean serviceAccounts;

    /**
     * @param client  what the kubelet and the Job controller read and write with
     * @param workers what the in-process workers use, as a pod would use its service account
     */
    public Kubelet(KubernetesClient client, KubernetesClient workers, String namespace) {
        this.client = client;
        this.workers = workers;
        this.namespace = namespace;
        this.poller = new Thread(this::poll, "kubelet");
        poller.setDaemon(true);
        poller.start();
    }

    /** Runs before every pod, on the pod's thread (a test changes a store before a stage, say). */
    public void beforePod(Consumer<Job> hook) {
        this.beforePod = hook;
    }

    /** Pods of the Jobs that match run in a child JVM; {@code started} receives each (to kill it). */
    public void childJvmFor(Predicate<Job> which, Consumer<Pod> started) {
        this.inChildJvm = which;
        this.childStarted = started;
    }

    /**
     * A pod that does not run: while {@code status} gives a status for a Job, its pod is written with that status (an
     * image that cannot be pulled, say) and the worker does not start; once it gives null, the pod runs.
     */
    public void stuckPods(java.util.function.Function<Job, io.fabric8.kubernetes.api.model.PodStatus> status) {
        this.stuck = status;
    }

    /** Creates no pod for a Job whose ServiceAccount does not exist, as the Job controller (off by default). */
    public void requireServiceAccounts() {
        this.serviceAccounts = true;
    }

    /** What the pods printed, one entry per pod. */
    public List<String> log() {
        return List.copyOf(log);
    }

    private void poll() {
        while (running) {
            try {
                for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
                    if (seen.add(job.getMetadata().getUid() == null ? job.getMetadata().getName() : job.getMetadata().getUid())) {
                        pods.submit(() -> runJob(job));
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.add("kubelet: " + e);
                }
            }
        }
    }

    private void runJob(Job job) {
        int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        int failures = 0;
        for (int attempt = 1; running; attempt++) {
            if (client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get() == null) {
                return; // deleted
            }
            int exit;
            String pod = job.getMetadata().getName() + "-" + attempt;
            try {
                if (!waitWhileStuck(job, pod)) {
                    return;
                }
                writePod(job, pod, running());
                beforePod.accept(job);
                exit = inChildJvm.test(job) ? runChild(job, attempt) : runInProcess(job);
            } catch (Exception e) {
                log.add(job.getMetadata().getName() + ": " + e);
                exit = 1;
            }
            writePod(job, pod, ended(exit));
            if (exit == 0) {
                finish(job, "Complete", null, null, failures);
                return;
            }
            failures++;
            if (exit == 2) {
                finish(job, "Failed", "PodFailurePolicy", "Container worker exited with code 2 (FailJob rule)", failures);
                return;
            }
            if (failures > backoffLimit) {
                finish(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", failures);
                return;
            }
        }
    }

    /** Holds the pod while the test says it is stuck; false when the Job was deleted meanwhile. */
    private boolean waitWhileStuck(Job job, String pod) throws InterruptedException {
        String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();
        while (serviceAccounts && client.serviceAccounts().inNamespace(namespace).withName(account).get() == null) {
            if (client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get() == null) {
                return false;
            }
            Thread.sleep(200);
        }
        for (io.fabric8.kubernetes.api.model.PodStatus status = stuck.apply(job); status != null; status = stuck.apply(job)) {
            if (client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get() == null) {
                return false;
            }
            writePod(job, pod, status);
            Thread.sleep(200);
        }
        return true;
    }

    /** The pod object as the kubelet reports it: the Job's template, owned by the Job, with this status. */
    private void writePod(Job job, String name, io.fabric8.kubernetes.api.model.PodStatus status) {
        Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
        io.fabric8.kubernetes.api.model.Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName(name).withNamespace(namespace).withLabels(labels)
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).withStatus(status).build();
        try {
            client.pods().inNamespace(namespace).resource(pod).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        } catch (RuntimeException e) {
            log.add("kubelet: cannot write pod " + name + ": " + e);
        }
    }

    private static io.fabric8.kubernetes.api.model.PodStatus running() {
        return new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").addNewContainerStatus()
                .withName("worker").withReady(true).withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                .endRunning().endState().endContainerStatus().build();
    }

    private static io.fabric8.kubernetes.api.model.PodStatus ended(int exit) {
        return new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed")
                .addNewContainerStatus().withName("worker").withNewState().withNewTerminated().withExitCode(exit)
                .withReason(exit == 0 ? "Completed" : "Error").withFinishedAt(Instant.now().toString()).endTerminated()
                .endState().endContainerStatus().build();
    }

    private int runInProcess(Job job) throws IOException {
        Map<String, String> env = environment(job);
        List<String> args = container(job).getArgs();
        StringWriter out = new StringWriter();
        int exit;
        try (PrintWriter pw = new PrintWriter(out, true)) {
            int[] shard = WorkerCommand.shard(args.contains("--shard") ? args.get(args.indexOf("--shard") + 1) : "0/1");
            exit = WorkerCommand.run(env, workers, pw, worker -> switch (args.get(1)) {
                        case "copy" -> worker.copy(args.get(args.indexOf("--source") + 1), shard[0], shard[1]);
                        case "sync" -> args.contains("--mark") ? worker.reverseMark() : args.contains("--copy") ? worker.reverseCopy()
                                : args.contains("--reverse") ? worker.reverseSync(deleted(job))
                                : worker.sync(args.get(args.indexOf("--source") + 1), shard[0], shard[1], deleted(job));
                        case "undo" -> worker.undo();
                        default -> worker.verify();
                    }, args.contains("--repair"), args.contains("--extra-keys") || args.contains("--guard-writes"));
        }
        log.add(job.getMetadata().getName() + " exit " + exit + ":\n" + out);
        return exit;
    }

    /** Whether the Job is gone (deleted: its pod is told to stop) or this kubelet closed; asked the API at most every 200 ms. */
    private java.util.function.BooleanSupplier deleted(Job job) {
        long[] lastAsked = {0};
        boolean[] gone = {false};
        return () -> {
            if (!running) {
                return true;
            }
            if (!gone[0] && System.nanoTime() - lastAsked[0] > 200_000_000L) {
                lastAsked[0] = System.nanoTime();
                gone[0] = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get() == null;
            }
            return gone[0];
        };
    }

    private int runChild(Job job, int attempt) throws IOException {
        Map<String, String> env = environment(job);
        String master = client.getConfiguration().getMasterUrl();
        env.put("KUBERNETES_MASTER", master);
        env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        env.put("KUBERNETES_NAMESPACE", namespace);
        ChildJvm child = ChildJvm.start(env, "256m", container(job).getArgs().toArray(String[]::new));
        childStarted.accept(new Pod(job, attempt, child));
        int exit = child.waitFor(300);
        log.add(job.getMetadata().getName() + " (child JVM) exit " + exit + ":\n" + child.output());
        return exit;
    }

    /** The container's env, with the Secret volumes written under a temp directory standing in for the mounts. */
    private Map<String, String> environment(Job job) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : container(job).getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        Path root = Files.createTempDirectory("pod-");
        Map<String, String> volumeSecrets = new HashMap<>();
        for (Volume v : job.getSpec().getTemplate().getSpec().getVolumes()) {
            if (v.getSecret() != null) {
                volumeSecrets.put(v.getName(), v.getSecret().getSecretName());
            }
        }
        for (VolumeMount m : container(job).getVolumeMounts()) {
            String secretName = volumeSecrets.get(m.getName());
            if (secretName == null) {
                continue;
            }
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (secret == null) {
                throw new IllegalStateException("pod cannot start: Secret " + secretName + " not found");
            }
            Path dir = root.resolve(m.getMountPath().substring(1));
            Files.createDirectories(dir);
            for (Map.Entry<String, String> d : secret.getData().entrySet()) {
                Files.write(dir.resolve(d.getKey()), Base64.getDecoder().decode(d.getValue()));
            }
        }
        String secretsDir = env.getOrDefault(WorkerEnvironment.SECRETS_DIR, WorkerEnvironment.DEFAULT_SECRETS_DIR);
        env.put(WorkerEnvironment.SECRETS_DIR, root.resolve(secretsDir.substring(1)).toString());
        return env;
    }

    private static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private void finish(Job job, String type, String reason, String message, int failures) {
        String now = Instant.now().toString();
        Job current = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get();
        if (current == null) {
            return;
        }
        JobStatus status = new JobStatus();
        List<JobCondition> conditions = new ArrayList<>();
        conditions.add(new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastTransitionTime(now).withLastProbeTime(now).build());
        status.setConditions(conditions);
        status.setStartTime(now);
        status.setFailed(failures);
        if ("Complete".equals(type)) {
            status.setSucceeded(1);
            status.setCompletionTime(now);
        }
        current.setStatus(status);
        client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        pods.shutdownNow();
    }
}
