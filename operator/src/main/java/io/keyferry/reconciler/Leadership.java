package io.keyferry.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One active replica through a Lease, and what losing it does. JOSDK's own reaction is an exit with status 1
 * and no reason; here the loss fences the operator's API client (every request but a read is refused from
 * then on), completes {@link #lost()} with the reason, and the operator stops reconciling. The reason names
 * the last Lease request that failed and its HTTP status, which this sees as an interceptor of the operator's
 * client ({@link #install}): Fabric8's elector keeps that to itself.
 *
 * <p>Fabric8's LeaseLock reads the Lease (GET), takes it when it is absent (POST), and renews or takes over an
 * expired one by JSON merge patch (PATCH). JOSDK's start-up check also wants {@code update} granted.
 */
public final class Leadership implements Interceptor {
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration leaseDuration;
    private final Duration renewDeadline;
    private final Duration retryPeriod;
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private volatile String lastFailure;
    private volatile String holder;
    private volatile boolean steppingDown;

    /** Durations of Kubernetes' own controllers (JOSDK's defaults: 15 s, renewed within 10 s, tried every 2 s). */
    public static Leadership of(String namespace, String name) {
        return of(namespace, name, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE);
    }

    /** A Lease of {@code duration}, renewed within 2/3 of it and tried every 2/15 of it, as the defaults are to 15 s. */
    public static Leadership of(String namespace, String name, Duration duration) {
        return new Leadership(namespace, name, newIdentity(), duration, duration.multipliedBy(2).dividedBy(3),
                duration.multipliedBy(2).dividedBy(15));
    }

    public Leadership(String namespace, String name, String identity, Duration leaseDuration, Duration renewDeadline,
                      Duration retryPeriod) {
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.renewDeadline = renewDeadline;
        this.retryPeriod = retryPeriod;
    }

    /**
     * The pod name and a random part, as Kubernetes' controllers name themselves: a restarted container is a new
     * candidate, so taking over a Lease is a path every restart goes through, not only a new pod's.
     */
    private static String newIdentity() {
        String host = System.getenv("HOSTNAME");
        return (host == null || host.isBlank() ? "keyferry" : host) + "_" + UUID.randomUUID();
    }

    /** Adds this to the HTTP client of the operator's Kubernetes client. */
    public void install(HttpClient.Builder http) {
        http.addOrReplaceInterceptor("keyferry-leadership", this);
    }

    LeaderElectionConfiguration configuration() {
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(name).withLeaseNamespace(namespace)
                .withIdentity(identity).withLeaseDuration(leaseDuration).withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod).withExitOnStopLeading(false)
                .withLeaderCallbacks(new LeaderCallbacks(() -> { }, this::stoppedLeading, h -> holder = h))
                .build();
    }

    /** Completes with the reason once the Lease is lost (never when the operator is stopped on purpose). */
    public CompletableFuture<String> lost() {
        return lost;
    }

    public String lease() {
        return namespace + "/" + name;
    }

    public String identity() {
        return identity;
    }

    /**
     * Whether this replica holds the Lease now, as the elector last saw it: checked before every flag write, so a
     * deposed leader that has not noticed yet writes no flag (the flag's compare-and-set is the second fence).
     */
    public boolean held() {
        return !lost.isDone() && identity.equals(holder);
    }

    /** The operator is being stopped: the Lease it gives up is not lost. */
    void stepDown() {
        steppingDown = true;
    }

    private void stoppedLeading() {
        if (steppingDown) {
            return;
        }
        lost.complete("lost the Lease " + lease() + " (identity " + identity + "): " + why()
                + "; stopped reconciling, nothing more is written");
    }

    private String why() {
        String failure = lastFailure;
        if (failure != null) {
            return "renewing it failed: " + failure;
        }
        String now = holder;
        return "it was not renewed within " + renewDeadline.toSeconds() + " s"
                + (now != null && !now.equals(identity) ? "; " + now + " holds it now" : "");
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (lost.isDone() && !request.method().equals("GET")) {
            throw new KubernetesClientException("not sent (" + request.method() + " " + request.uri().getPath()
                    + "): this replica " + lost.join());
        }
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (isLease(request)) {
            lastFailure = response.isSuccessful() || (request.method().equals("GET") && response.code() == 404) ? null
                    : request.method() + " " + request.uri().getPath() + " answered HTTP " + response.code() + hint(response.code());
        }
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        if (isLease(request)) {
            lastFailure = request.method() + " " + request.uri().getPath() + " failed: " + failure;
        }
    }

    private String hint(int status) {
        return status == 403 ? " (forbidden: the service account needs get, create, update and patch on leases in "
                + namespace + "; charts/keyferry grants them)" : "";
    }

    private boolean isLease(HttpRequest request) {
        String leases = "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases";
        String path = request.uri().getPath();
        return path.equals(leases) || path.equals(leases + "/" + name);
    }
}
