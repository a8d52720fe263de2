package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyferry.api.SecretKeyRef;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Secrets read by the operator itself (for the routing flag's store) from the migration's namespace. */
final class KubernetesSecretResolver implements SecretResolver {
    private final KubernetesClient client;
    private final String namespace;

    KubernetesSecretResolver(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public String resolve(SecretKeyRef ref, String fieldPath) {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        } catch (KubernetesClientException e) {
            throw new MigrationInputException(fieldPath + ": cannot read Secret " + namespace + "/" + ref.getName() + " ("
                    + e.getCode() + (e.getCode() == 403 ? ", the operator's service account may not get Secrets here" : "")
                    + ")", e);
        }
        if (secret == null) {
            throw new MigrationInputException(fieldPath + ": Secret " + namespace + "/" + ref.getName()
                    + " does not exist; create it with the key " + ref.getKey());
        }
        if (secret.getData() != null && secret.getData().containsKey(ref.getKey())) {
            return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8).stripTrailing();
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())) {
            return secret.getStringData().get(ref.getKey()).stripTrailing();
        }
        throw new MigrationInputException(fieldPath + ": Secret " + namespace + "/" + ref.getName() + " has no key "
                + ref.getKey() + "; add it or fix the reference");
    }

    /** What is wrong with each of these references that cannot be read (by field path, the whole message); empty when all can. */
    java.util.Map<String, String> problems(java.util.Map<String, SecretKeyRef> refs) {
        java.util.Map<String, String> problems = new java.util.LinkedHashMap<>();
        refs.forEach((path, ref) -> {
            try {
                resolve(ref, path);
            } catch (MigrationInputException e) {
                problems.put(path, e.getMessage());
            }
        });
        return problems;
    }
}
