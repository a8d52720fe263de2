package io.keyferry.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.javaoperatorsdk.operator.LeaderElectionManager;
import io.keyferry.reconciler.HealthServer;
import io.keyferry.reconciler.KeyFerryOperator;
import io.keyferry.reconciler.Leadership;
import io.keyferry.reconciler.OperatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `keyferry operator`: watches DataMigrations and runs them with worker Jobs. */
@Command(name = "operator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the KeyFerry operator: reconciles DataMigration resources, runs worker Jobs, writes status"
                + " and the routing flag. Uses the in-cluster service account, or ~/.kube/config outside a cluster.")
final class OperatorCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--namespaces", split = ",", paramLabel = "NS",
            defaultValue = "${env:KEYFERRY_NAMESPACES}", description = "Namespaces to watch, comma-separated; all when empty.")
    List<String> namespaces;

    @Option(names = "--worker-image", paramLabel = "IMAGE", defaultValue = "${env:KEYFERRY_WORKER_IMAGE}",
            description = "Image of worker pods (normally the operator's own); spec.worker.image overrides it per migration.")
    String workerImage;

    @Option(names = "--worker-service-account", paramLabel = "NAME",
            defaultValue = "${env:KEYFERRY_WORKER_SERVICE_ACCOUNT:-" + OperatorConfig.DEFAULT_WORKER_SERVICE_ACCOUNT + "}",
            description = "Service account of worker pods, in each migration's namespace (default: ${DEFAULT-VALUE}).")
    String workerServiceAccount;

    @Option(names = "--worker-pod-template", paramLabel = "JSON", defaultValue = "${env:KEYFERRY_WORKER_POD_TEMPLATE}",
            description = "What every worker pod gets, as JSON (labels, annotations, nodeSelector, tolerations, affinity,"
                    + " priorityClassName, imagePullSecrets, serviceAccountName); a migration's spec.worker.podTemplate goes over it.")
    String workerPodTemplate;

    @Option(names = "--leader-election", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Elect one active replica through a Lease (default: on).")
    boolean leaderElection;

    @Option(names = "--lease-namespace", paramLabel = "NS", defaultValue = "${env:POD_NAMESPACE}",
            description = "Namespace of the leader Lease (default: $POD_NAMESPACE).")
    String leaseNamespace;

    @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = "keyferry-operator",
            description = "Name of the leader Lease: one per installation (default: ${DEFAULT-VALUE}).")
    String leaseName;

    @Option(names = "--lease-duration", paramLabel = "SECONDS", defaultValue = "15",
            description = "How long the Lease holds without renewal; a standby replica takes over within this after the leader"
                    + " dies. Renewed within 2/3 of it (default: ${DEFAULT-VALUE}, as Kubernetes' own controllers).")
    long leaseSeconds;

    @Option(names = "--address", paramLabel = "IP", defaultValue = "0.0.0.0",
            description = "Address /healthz, /readyz and /metrics listen on (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--resync", paramLabel = "SECONDS", defaultValue = "300",
            description = "Look at every migration at least this often (default: ${DEFAULT-VALUE}).")
    long resyncSeconds;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (workerImage == null || workerImage.isBlank()) {
            err.println("keyferry operator: --worker-image (or KEYFERRY_WORKER_IMAGE) is required: the image worker pods run,"
                    + " normally the operator's own");
            return ExitCodes.INVALID_INPUT;
        }
        if (workerPodTemplate != null && !workerPodTemplate.isBlank()) {
            try {
                io.fabric8.kubernetes.client.utils.Serialization.unmarshal(workerPodTemplate, io.keyferry.api.WorkerPodTemplate.class);
            } catch (RuntimeException e) {
                err.println("keyferry operator: --worker-pod-template (or KEYFERRY_WORKER_POD_TEMPLATE) is not a worker pod"
                        + " template: " + e.getMessage() + "; give JSON with labels, annotations, nodeSelector, tolerations,"
                        + " affinity, priorityClassName, imagePullSecrets or serviceAccountName");
                return ExitCodes.INVALID_INPUT;
            }
        }
        Leadership leadership = null;
        if (leaderElection) {
            if (leaseNamespace == null || leaseNamespace.isBlank()) {
                err.println("keyferry operator: leader election needs --lease-namespace (or POD_NAMESPACE from the downward API);"
                        + " or pass --no-leader-election to run a single replica");
                return ExitCodes.INVALID_INPUT;
            }
            if (leaseSeconds < 3) {
                err.println("keyferry operator: --lease-duration must be at least 3 seconds (it is renewed within 2/3 of it)");
                return ExitCodes.INVALID_INPUT;
            }
            leadership = Leadership.of(leaseNamespace, leaseName, Duration.ofSeconds(leaseSeconds));
        }
        CompletableFuture<Integer> stop = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.complete(ExitCodes.OK)));
        Consumer<HttpClient.Builder> http = leadership == null ? b -> { } : leadership::install;
        try (KubernetesClient client = new KubernetesClientBuilder().withHttpClientBuilderConsumer(http).build()) {
            return serve(client, leadership, err, stop);
        }
    }

    /**
     * Runs the operator on {@code client} until {@code stop} completes (with the exit code) or the Lease is lost;
     * returns the exit code. A start that cannot work returns {@link ExitCodes#CANNOT_START} and says why.
     */
    int serve(KubernetesClient client, Leadership leadership, PrintWriter err, CompletableFuture<Integer> stop) {
        Set<String> watched = new LinkedHashSet<>();
        if (namespaces != null) {
            namespaces.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(watched::add);
        }
        io.keyferry.api.WorkerPodTemplate pods = workerPodTemplate == null || workerPodTemplate.isBlank() ? null
                : io.fabric8.kubernetes.client.utils.Serialization.unmarshal(workerPodTemplate, io.keyferry.api.WorkerPodTemplate.class);
        OperatorConfig config = new OperatorConfig(watched, workerImage, workerServiceAccount, Duration.ofSeconds(resyncSeconds),
                pods);
        try (KeyFerryOperator operator = new KeyFerryOperator(client, config, leadership, Clock.systemUTC())) {
            HealthServer health;
            try {
                health = new HealthServer(address, port, operator::started, operator.metrics()::scrape);
            } catch (IOException e) {
                err.println("keyferry operator: cannot start: cannot listen on port " + port + " (--port, for /healthz, /readyz"
                        + " and /metrics): " + e.getMessage() + "; stop what listens there or pass another --port");
                return ExitCodes.CANNOT_START;
            }
            try (health) {
                try {
                    operator.start();
                } catch (RuntimeException e) {
                    err.println("keyferry operator: cannot start: " + explain(e, leadership));
                    return ExitCodes.CANNOT_START;
                }
                err.println("keyferry operator: watching " + (watched.isEmpty() ? "all namespaces" : watched)
                        + "; health and metrics on :" + health.port() + (leadership == null ? ""
                        : "; active while it holds the Lease " + leadership.lease() + " as " + leadership.identity()));
                if (leadership != null) {
                    leadership.lost().thenAccept(reason -> {
                        err.println("keyferry operator: " + reason);
                        stop.complete(ExitCodes.LEADERSHIP_LOST);
                    });
                }
                return stop.join();
            }
        }
    }

    /** What a startup failure means for the person deploying the operator. */
    static String explain(Throwable e, Leadership leadership) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (leadership != null && t.getMessage() != null
                    && t.getMessage().startsWith(LeaderElectionManager.NO_PERMISSION_TO_LEASE_RESOURCE_MESSAGE)) {
                return "the service account may not use the Lease " + leadership.lease() + ": a SelfSubjectRulesReview"
                        + " found no rules granting get, create and update on leases there (JOSDK checks these at start;"
                        + " renewing also needs patch); install with the Helm chart (charts/keyferry) or grant the rules in"
                        + " docs/operator.md, or pass --no-leader-election to run a single replica";
            }
            if (t instanceof KubernetesClientException k) {
                if (k.getCode() == 404) {
                    return "the DataMigration CRD is not installed (404 listing datamigrations.keyferry.io); apply"
                            + " crds/datamigrations.keyferry.io-v1.yml first";
                }
                if (k.getCode() == 403) {
                    return "the API server refused a request of the operator's service account (HTTP 403: " + k.getMessage()
                            + "); install with the Helm chart (charts/keyferry) or grant the rules in docs/operator.md";
                }
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof java.net.ConnectException || root instanceof java.net.UnknownHostException) {
                return "cannot reach the Kubernetes API server (" + root + "); outside a cluster, check ~/.kube/config"
                        + " or KUBERNETES_MASTER";
            }
        }
        return e.getMessage() + (root != e ? " (" + root + ")" : "");
    }
}
