package io.keyferry.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.keyferry.cli.ExitCodes;
import org.junit.jupiter.api.Test;

/**
 * A cluster without the CRD answers 404 to a list of DataMigrations (the CRUD mock knows every resource, so this one
 * is told what a real API server says): named as the CRD missing, with how to install it, not as "not found".
 */
@EnableKubernetesMockClient
class MissingCrdTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void listingWithoutTheCrdSaysItIsNotInstalled() {
        server.expect().get().withPath("/apis/keyferry.io/v1alpha1/namespaces/test/datamigrations")
                .andReturn(404, new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404)
                        .withMessage("the server could not find the requested resource").build())
                .always();

        PluginRun run = PluginRun.of(client, "list", "-n", "test");

        assertEquals(ExitCodes.API_ERROR, run.exitCode(), run::toString);
        assertTrue(run.err().contains("has no DataMigration resource (404 listing datamigrations.keyferry.io): the CRD is not"
                + " installed; install the Helm chart (charts/keyferry) or kubectl apply -f"
                + " crds/datamigrations.keyferry.io-v1.yml"), run::toString);
    }
}
