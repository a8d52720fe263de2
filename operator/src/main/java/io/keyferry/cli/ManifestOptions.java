package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.api.InvalidManifestException;
import io.keyferry.api.ManifestLoader;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.SecretResolver;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads a DataMigration manifest shares. */
final class ManifestOptions {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The DataMigration manifest (the YAML you would kubectl apply).")
    Path file;

    @Option(names = "--secrets-dir", paramLabel = "DIR",
            description = "Secret references {name, key} are read from DIR/<name>/<key>, the layout of a mounted Secret.")
    Path secretsDir;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the final summary as JSON to FILE.")
    Path report;

    /** The manifest, or null after printing every problem in it. */
    DataMigration load(PrintWriter err) {
        try {
            return ManifestLoader.load(file);
        } catch (InvalidManifestException e) {
            err.println("keyferry: " + file + " is not a valid DataMigration:");
            e.getErrors().forEach(fe -> err.println("  " + fe));
            return null;
        }
    }

    SecretResolver secrets() {
        return new FileSecretResolver(secretsDir);
    }
}
