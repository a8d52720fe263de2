package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs `kubectl keyferry ...` in this JVM against a client (the mock API server), at the fixtures' fixed time. */
record PluginRun(int exitCode, String out, String err) {
    static PluginRun of(KubernetesClient client, String... args) {
        return of(client, Terminal.NONE, d -> { }, args);
    }

    static PluginRun of(KubernetesClient client, Terminal terminal, Environment.Sleeper sleeper, String... args) {
        return in(new Environment(options -> client, terminal, Fixtures.CLOCK, sleeper), args);
    }

    /** Runs `kubectl keyferry ...` in {@code env}. */
    static PluginRun in(Environment env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Plugin.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new PluginRun(code, out.toString(), err.toString());
    }

    /** A terminal whose person answers {@code answer}. */
    static Terminal answering(String answer) {
        return new Terminal(true, false, () -> answer);
    }


    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
