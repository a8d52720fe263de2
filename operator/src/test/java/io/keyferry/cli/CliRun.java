package io.keyferry.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs `keyferry ...` in this JVM and keeps what it printed. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        io.keyferry.testing.Canary.record("keyferry " + String.join(" ", args) + ": stdout", out.toString());
        io.keyferry.testing.Canary.record("keyferry " + String.join(" ", args) + ": stderr", err.toString());
        int report = java.util.Arrays.asList(args).indexOf("--report");
        if (report >= 0 && Files.exists(Path.of(args[report + 1]))) {
            try {
                io.keyferry.testing.Canary.record("the report " + args[report + 1], Files.readString(Path.of(args[report + 1])));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Writes a manifest to a temporary file. */
    static Path manifest(String yaml) {
        try {
            Path f = Files.createTempFile("keyferry-manifest-", ".yaml");
            Files.writeString(f, yaml);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("keyferry-cli-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
