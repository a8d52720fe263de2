package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyferry.api.DataMigration;
import io.keyferry.cli.ExitCodes;
import io.keyferry.reconciler.WorkerJobs;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The DataMigrations of a namespace and what the operator made for them, read and changed the kubectl way. */
final class Migrations {
    private final KubernetesClient client;
    private final String namespace;

    Migrations(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    DataMigration get(String name) {
        DataMigration dm = call(() -> client.resources(DataMigration.class).inNamespace(namespace).withName(name).get());
        if (dm == null) {
            throw new PluginException(ExitCodes.NOT_FOUND, "datamigration " + name + " not found in namespace " + namespace
                    + " (kubectl keyferry list -A shows every namespace's)");
        }
        return dm;
    }

    /**
     * Every migration of the namespace, or of all namespaces, by namespace and name. A 404 to a list is the API server
     * not knowing the resource at all: the CRD is not installed (a get by name cannot tell that from a missing object).
     */
    List<DataMigration> list(boolean allNamespaces) {
        List<DataMigration> items;
        try {
            items = allNamespaces ? client.resources(DataMigration.class).inAnyNamespace().list().getItems()
                    : client.resources(DataMigration.class).inNamespace(namespace).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new PluginException(ExitCodes.API_ERROR, "the API server at " + client.getConfiguration().getMasterUrl()
                        + " has no DataMigration resource (404 listing datamigrations.keyferry.io): the CRD is not installed;"
                        + " install the Helm chart (charts/keyferry) or kubectl apply -f crds/datamigrations.keyferry.io-v1.yml");
            }
            throw apiError(e);
        }
        return items.stream().sorted(Comparator.comparing((DataMigration d) -> d.getMetadata().getNamespace())
                .thenComparing(d -> d.getMetadata().getName())).toList();
    }

    /** The worker pods of a migration (the operator labels them with its uid), oldest first. */
    List<Pod> workerPods(DataMigration dm) {
        return call(() -> client.pods().inNamespace(namespace).withLabel(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid())
                .list().getItems()).stream()
                .sorted(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                        .thenComparing(p -> p.getMetadata().getName())).toList();
    }

    /** The workers' report ConfigMaps (same labels as their Jobs). */
    List<ConfigMap> reports(DataMigration dm) {
        return call(() -> client.configMaps().inNamespace(namespace).withLabel(WorkerJobs.MIGRATION_LABEL, dm.getMetadata().getUid())
                .list().getItems());
    }

    /**
     * A JSON merge patch of {@code changes}, made only if the migration is still the one the decision was made on
     * (its resourceVersion): a GitOps diff shows exactly the fields changed.
     */
    void mergePatch(DataMigration seen, Map<String, Object> changes) {
        Map<String, Object> patch = new LinkedHashMap<>(changes);
        Map<String, Object> metadata = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> asked = (Map<String, Object>) changes.get("metadata");
        if (asked != null) {
            metadata.putAll(asked);
        }
        metadata.put("resourceVersion", seen.getMetadata().getResourceVersion());
        patch.put("metadata", metadata);
        String json = Serialization.asJson(patch);
        // Generic: the answer may hold a value this build's model does not know (a newer operator's phase).
        call(() -> client.genericKubernetesResources(
                io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.fromResourceType(DataMigration.class)).inNamespace(namespace)
                .withName(seen.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), json));
    }

    KubernetesClient client() {
        return client;
    }

    /** An API call whose failure a person can act on. */
    <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw apiError(e);
        }
    }

    /** What the API server said, else what the client saw. */
    static String reason(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    PluginException apiError(KubernetesClientException e) {
        String server = client.getConfiguration().getMasterUrl();
        return switch (e.getCode()) {
            case 401, 403 -> new PluginException(ExitCodes.API_ERROR, "the API server at " + server + " refused: "
                    + reason(e) + "; ask for get, list and patch on datamigrations.keyferry.io, list on"
                    + " pods and configmaps, and get on pods/log in namespace " + namespace);
            case 404 -> new PluginException(ExitCodes.NOT_FOUND, "not found: " + e.getMessage());
            case 409 -> new PluginException(ExitCodes.API_ERROR, "the DataMigration changed while this command looked at it;"
                    + " nothing was written: run the command again");
            default -> noAnswer(e) ? unreachable(server, e)
                    : new PluginException(ExitCodes.API_ERROR, "the API server at " + server + " could not be used: "
                    + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
        };
    }

    /** Whether the API server did not answer at all (no HTTP status: the client says -1). */
    static boolean noAnswer(KubernetesClientException e) {
        return e.getCode() <= 0 && e.getStatus() == null;
    }

    /** No answer at all: what stood in the way, in kubectl's terms, and where to look; server may be null. */
    static PluginException unreachable(String server, KubernetesClientException e) {
        return new PluginException(ExitCodes.API_ERROR, "the API server" + (server == null ? "" : " at " + server)
                + " could not be reached: "
                + obstacle(e) + "; check the context (--context, --kubeconfig, $KUBECONFIG) and that"
                + " `kubectl cluster-info` answers");
    }

    /** What stood in the way, from the whole chain of causes: the most telling one (an unknown host over a refusal). */
    static String obstacle(Throwable e) {
        String said = e.getMessage();
        String refused = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "its host name is not known" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + t.getMessage();
            }
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.net.http.HttpTimeoutException) {
                return "no answer in time";
            }
            if (t instanceof java.net.ConnectException && refused == null) {
                refused = "connection refused" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
            }
            if (t.getMessage() != null) {
                said = t.getMessage();
            }
        }
        return refused != null ? refused : said;
    }
}
