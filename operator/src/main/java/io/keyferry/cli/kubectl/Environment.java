package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * What a command needs from outside: an API client for the options given, the terminal, the time and a way to
 * wait. The plugin's main builds the real one; tests give the mock API server, a fixed clock and no terminal.
 */
record Environment(Function<KubeOptions, KubernetesClient> clients, Terminal terminal, Clock clock, Sleeper sleeper) {
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    static Environment system() {
        return new Environment(Environment::client, Terminal.detect(System.getenv()), Clock.systemUTC(),
                d -> Thread.sleep(d.toMillis()));
    }

    /** The API client the options name (see {@link KubeOptions#config()}). */
    static KubernetesClient client(KubeOptions options) {
        return new KubernetesClientBuilder().withConfig(options.config()).build();
    }
}
