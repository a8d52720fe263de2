package io.keyferry.reconciler;

import io.keyferry.testing.Canary;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.keyferry.reconciler.OperatorHarness.NS;
import static io.keyferry.reconciler.OperatorHarness.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.keyferry.api.Stage;
import io.keyferry.testing.ApiRequest;
import io.keyferry.testing.ChartRbac;
import io.keyferry.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is exactly what the operator and its workers use. A migration is walked with the operator
 * as the chart installs it (leader election on its release's Lease, its watched namespace, the workers'
 * account), through a new attempt and a new leader, and every request the operator and the workers send is
 * recorded as sent and checked against the rules the chart renders for each: a request outside them fails the
 * test, and so does a grant that no request used, unless it is listed here with the reason it is granted.
 * (Every other operator test checks its requests against the same rules: {@link OperatorHarness}.)
 */
@ExtendWith(Canary.class)
@EnableKubernetesMockClient(crud = true)
class PermissionsOperatorTest {
    static final String LEASE = ChartRbac.watching(NS).operatorArg("--lease-name");

    /** Granted, though no request uses them. */
    static final Map<String, String> GRANTED_WITHOUT_A_REQUEST = Map.of(
            "operator: keyferry.io/datamigrations/finalizers: update",
            "the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) requires it to create Jobs and"
                    + " ConfigMaps whose owner reference blocks the migration's deletion",
            "operator: /serviceaccounts: get",
            "a worker Job that creates no pod has its ServiceAccount looked up (WorkerPodsOperatorTest sends it)",
            "operator: coordination.k8s.io/leases[" + LEASE + "]: update",
            "JOSDK's start-up check (a SelfSubjectRulesReview) wants get, create and update on the Lease; Fabric8's"
                    + " LeaseLock itself renews, takes over and releases it by patch");

    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void everyRequestOfAWalkedMigrationIsGrantedByTheChartAndEveryGrantIsUsed() {
        ChartRbac chart = ChartRbac.watching(NS);
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, chart.operatorRulesReview(ChartRbac.RELEASE_NAMESPACE)).always();
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client, Duration.ofSeconds(1),
                     () -> Leadership.of(ChartRbac.RELEASE_NAMESPACE, LEASE))) {
            target.redis().configSet("requirepass", Canary.PASSWORD);
            OneShotOperatorTest.seed(source.redis(), "k", 4000);
            h.secret("target-auth", "password", Canary.PASSWORD);
            h.apply("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: walked}
                    spec:
                      sources: [{name: src, endpoint: {uri: "%s"}}]
                      target: {endpoint: {uri: "%s", passwordSecretRef: {name: target-auth, key: password}}}
                      worker: {batchSize: 100, rateLimit: {keysPerSecond: 1000}}
                    """.formatted(source.uri(), target.uri()));
            h.await("walked", "copying", Duration.ofSeconds(30), dm -> dm.getStatus().getStage() == Stage.COPYING);
            String first = holder();

            h.patchSpec("walked", Map.of("worker", Map.of("batchSize", 200)));
            h.await("walked", "the running Job deleted for a new attempt", Duration.ofSeconds(30),
                    dm -> h.requests.all().stream().anyMatch(r -> r.verb().equals("delete")));
            h.restartOperator();
            h.await("walked", "Succeeded", Duration.ofSeconds(60), dm -> condition(dm, "Ready", "True"));
            assertNotEquals(first, holder(), "another replica took the Lease over");

            // A retry: the finished Jobs of the attempt before are deleted with their reports (objects stay bounded).
            h.patchSpec("walked", Map.of("retryNonce", "2"));
            h.await("walked", "the finished attempt's reports deleted", Duration.ofSeconds(60),
                    dm -> h.requests.all().stream().anyMatch(r -> r.verb().equals("delete") && r.resource().equals("configmaps")));
            h.await("walked", "Succeeded again", Duration.ofSeconds(60), dm -> condition(dm, "Ready", "True")
                    && dm.getStatus().getObservedGeneration() != null && dm.getStatus().getObservedGeneration() >= 3);

            List<ApiRequest> sent = h.requests.all();
            System.out.println("PermissionsOperatorTest: " + sent.size() + " requests recorded, checked against "
                    + chart.sizes() + " granted verbs on resources; kinds of requests:\n  "
                    + String.join("\n  ", new TreeSet<>(sent.stream().map(ApiRequest::kind).toList())));
            chart.assertAllowed(sent);
            chart.assertEveryGrantUsed(sent, GRANTED_WITHOUT_A_REQUEST);
            assertEquals(OneShotOperatorTest.snapshot(source.redis()), targetContent(target));
        }
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(ChartRbac.RELEASE_NAMESPACE).withName(LEASE).get();
        return lease == null ? "" : String.valueOf(lease.getSpec().getHolderIdentity());
    }

    private static Map<String, String> targetContent(RedisServer target) {
        var t = target.redis();
        t.auth(Canary.PASSWORD);
        return OneShotOperatorTest.snapshot(t);
    }
}
