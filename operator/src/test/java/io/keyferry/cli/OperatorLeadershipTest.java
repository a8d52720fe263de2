package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.reconciler.Leadership;
import io.keyferry.testing.ApiRequest;
import io.keyferry.testing.ApiRequests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * `keyferry operator` with leader election: it may not start without the Lease permissions, and once it has
 * lost the Lease it stops reconciling, writes nothing more, says which Lease request failed with which HTTP
 * status, and exits 5.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorLeadershipTest {
    static final String NS = "test";
    static final String LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/kf";
    static final String RULES_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    KubernetesClient client;
    KubernetesMockServer server;
    final ApiRequests requests = new ApiRequests();
    final StringWriter err = new StringWriter();

    @Test
    void losingTheLeaseStopsReconcilingWritesNothingMoreAndExits5NamingTheFailedRequest() throws Exception {
        answerRulesReview("get", "create", "update", "patch");
        Leadership leadership = new Leadership(NS, "kf", "replica-1", Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(200));
        AtomicInteger sentBeforeTheLoss = new AtomicInteger(-1);
        leadership.lost().thenRun(() -> sentBeforeTheLoss.set(requests.all().size()));
        try (KubernetesClient operatorClient = requests.client(client, "operator", leadership::install)) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> serve(operatorClient, leadership));
            await("replica-1 holds the Lease", () -> holder().equals("replica-1"));
            DataMigration dm = Serialization.unmarshal("""
                    apiVersion: keyferry.io/v1alpha1
                    kind: DataMigration
                    metadata: {name: m, namespace: test}
                    spec:
                      sources: [{name: a, endpoint: {uri: "redis://127.0.0.1:1/0"}}]
                      target: {endpoint: {uri: "redis://127.0.0.1:2/0", passwordSecretRef: {name: absent, key: password}}}
                    """, DataMigration.class);
            client.resource(dm).create();
            await("the leader reconciles", () -> client.resource(dm).get().getStatus() != null);

            Status forbidden = new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("leases.coordination.k8s.io"
                    + " \"kf\" is forbidden: cannot patch resource \"leases\" in the namespace \"test\"").build();
            server.expect().patch().withPath(LEASE_PATH).andReturn(403, forbidden).always();

            assertEquals(ExitCodes.LEADERSHIP_LOST, exit.get(60, TimeUnit.SECONDS), err.toString());
            assertTrue(err.toString().contains("keyferry operator: lost the Lease test/kf (identity replica-1): renewing it"
                    + " failed: PATCH " + LEASE_PATH + " answered HTTP 403 (forbidden: the service account needs get, create,"
                    + " update and patch on leases in test; charts/keyferry grants them); stopped reconciling, nothing more is"
                    + " written"), err.toString());
            List<ApiRequest> afterTheLoss = requests.all().subList(sentBeforeTheLoss.get(), requests.all().size());
            assertTrue(afterTheLoss.stream().allMatch(r -> Set.of("get", "list", "watch").contains(r.verb())),
                    "only reads after the loss: " + afterTheLoss);
            KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> operatorClient.configMaps()
                    .inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build()).create());
            assertTrue(refused.getMessage().contains("this replica lost the Lease test/kf"), refused.getMessage());
        }
    }

    @Test
    void withoutTheLeasePermissionsItDoesNotStartAndSaysWhich() {
        answerRulesReview("get", "patch");
        Leadership leadership = Leadership.of(NS, "kf");
        try (KubernetesClient operatorClient = requests.client(client, "operator", leadership::install)) {
            assertEquals(ExitCodes.CANNOT_START, serve(operatorClient, leadership));
        }
        assertTrue(err.toString().contains("keyferry operator: cannot start: the service account may not use the Lease test/kf"),
                err.toString());
    }

    @Test
    void aForbiddenRequestAtStartIsNamedWithItsStatus() {
        server.expect().post().withPath(RULES_REVIEW_PATH).andReturn(403, new StatusBuilder().withCode(403)
                .withReason("Forbidden").withMessage("selfsubjectrulesreviews.authorization.k8s.io is forbidden").build()).always();
        Leadership leadership = Leadership.of(NS, "kf");
        try (KubernetesClient operatorClient = requests.client(client, "operator", leadership::install)) {
            assertEquals(ExitCodes.CANNOT_START, serve(operatorClient, leadership));
        }
        assertTrue(err.toString().contains("keyferry operator: cannot start: the API server refused a request of the operator's"
                + " service account (HTTP 403: Failure executing: POST at: " + server.url(RULES_REVIEW_PATH)), err.toString());
    }

    private int serve(KubernetesClient operatorClient, Leadership leadership) {
        return OperatorCommandTest.command("--namespaces", NS, "--resync", "1")
                .serve(operatorClient, leadership, new PrintWriter(err, true), new CompletableFuture<>());
    }

    /** JOSDK asks whether it may use Leases before it elects; the mock server cannot answer that itself. */
    private void answerRulesReview(String... verbs) {
        server.expect().post().withPath(RULES_REVIEW_PATH).andReturn(201, new SelfSubjectRulesReviewBuilder()
                .withNewStatus().withIncomplete(false)
                .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases").withVerbs(verbs).endResourceRule()
                .endStatus().build()).always();
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(NS).withName("kf").get();
        return lease == null ? "" : String.valueOf(lease.getSpec().getHolderIdentity());
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what + "\n" + err);
            Thread.sleep(50);
        }
    }
}
