package io.keyferry.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code scripts/keyferry} runs once per jar, under {@code -XX:ArchiveClassesAtExit}, to make a class-data
 * archive: the classes a command loads before its first answer, for {@code keyferry run} and the other commands (the
 * manifest's binding: Jackson, YAML, the model) or for {@code kubectl keyferry} (the Kubernetes client), driven
 * against endpoints that refuse at once (127.0.0.1, ports 1 and 2), its output dropped. Two archives, not one holding
 * both: a run maps its archive's every page, and the Kubernetes client's classes would cost each copy 0.07 s and 15 MB
 * for nothing. It writes nothing but its own temporary files, and removes them.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {}

    /** @param args {@code run} (the default) or {@code kubectl}: which commands' classes */
    public static void main(String[] args) throws IOException {
        boolean kubectl = args.length > 0 && args[0].equals("kubectl");
        Path dir = Files.createTempDirectory("keyferry-class-data-");
        Path manifest = dir.resolve("manifest.yaml");
        Path kubeconfig = dir.resolve("kubeconfig");
        try {
            Files.writeString(manifest, String.join("\n", "apiVersion: keyferry.io/v1alpha1", "kind: DataMigration",
                    "metadata: {name: class-data}", "spec:",
                    "  sources: [{name: none, endpoint: {uri: \"redis://127.0.0.1:1/0\"}}]",
                    "  target: {endpoint: {uri: \"redis://127.0.0.1:2/0\"}}", ""));
            Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config",
                    "clusters: [{name: none, cluster: {server: \"https://127.0.0.1:1\"}}]",
                    "contexts: [{name: none, context: {cluster: none, user: none}}]", "current-context: none",
                    "users: [{name: none, user: {token: none}}]", ""));
            PrintWriter dropped = new PrintWriter(Writer.nullWriter());
            if (kubectl) {
                Main.execute(dropped, dropped, "kubectl", "--kubeconfig", kubeconfig.toString(), "status", "class-data");
            } else {
                Main.execute(dropped, dropped, "run", "-f", manifest.toString(), "--dry-run");
            }
        } finally {
            Files.deleteIfExists(manifest);
            Files.deleteIfExists(kubeconfig);
            Files.deleteIfExists(dir);
        }
    }
}
