package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.Config;
import java.io.File;
import picocli.CommandLine.Option;

/** kubectl's own options for where to look: the kubeconfig file, its context and the namespace. */
final class KubeOptions {
    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "The namespace (default: the context's namespace, else default).")
    String namespace;

    @Option(names = "--context", paramLabel = "CONTEXT", description = "The kubeconfig context to use.")
    String context;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    File kubeconfig;

    /** These options, each one not given taken from {@code outer} (given before the command: kubectl keyferry -n NS status). */
    KubeOptions orElse(KubeOptions outer) {
        KubeOptions merged = new KubeOptions();
        merged.namespace = namespace != null ? namespace : outer.namespace;
        merged.context = context != null ? context : outer.context;
        merged.kubeconfig = kubeconfig != null ? kubeconfig : outer.kubeconfig;
        return merged;
    }

    /**
     * Retries of a request that got no answer, where the user set none (kubernetes.request.retry.backoffLimit, or
     * KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT): the client's default, 10 with a doubling pause, kept a command run by a
     * person waiting some 20 s on an API server that refuses connections (a wrong context, say); kubectl answers at once.
     */
    static final int RETRIES = 1;

    Config config() {
        Config config = kubeconfig != null ? Config.fromKubeconfig(context, kubeconfig) : Config.autoConfigure(context);
        if (System.getProperty(Config.KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT_SYSTEM_PROPERTY) == null
                && System.getenv("KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT") == null) {
            config.setRequestRetryBackoffLimit(RETRIES);
        }
        return config;
    }

    /** The namespace asked for, else the client's (its context's), else default. */
    String namespace(io.fabric8.kubernetes.client.KubernetesClient client) {
        if (namespace != null) {
            return namespace;
        }
        String configured = client.getNamespace();
        return configured != null ? configured : "default";
    }
}
