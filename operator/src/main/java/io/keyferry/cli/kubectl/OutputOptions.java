package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** `-o json|yaml`: the command's result as data instead of words; scripts parse it. */
final class OutputOptions {
    enum Format { JSON, YAML }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml instead of text.")
    Format format;

    boolean text() {
        return format == null;
    }

    void print(PrintWriter out, Object value) {
        if (format == Format.YAML) {
            out.print(Serialization.asYaml(value));
        } else {
            out.println(pretty(value));
        }
        out.flush();
    }

    private static String pretty(Object value) {
        try {
            return Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
