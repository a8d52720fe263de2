package io.keyferry.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What {@code scripts/keyferry} runs once per jar, under {@code -XX:ArchiveClassesAtExit}, to make a class-data
 * archive: the classes a command loads before its first answer, for {@code keyferry run} and the other commands (the
 * manifest's binding: Jackson, YAML, the model; and the engine's classes, loaded without running them) or for
 * {@code kubectl keyferry} (the Kubernetes client), driven against endpoints that refuse at once (127.0.0.1, ports 1 and 2), its output dropped. Two archives, not one holding
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
                loadEngine();
            }
        } finally {
            Files.deleteIfExists(manifest);
            Files.deleteIfExists(kubeconfig);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The engine's classes (the copy's stages, pipes and copiers, the verification's checkers), which a run loads only
     * once it is connected and the dry run never reaches: loaded here, not initialized, so the archive holds them
     * parsed and verified. Without them a copy of a million keys spent about 0.25 CPU-seconds reading, parsing and
     * verifying them from the jar, on the threads that should be copying.
     */
    static int loadEngine() throws IOException {
        ClassLoader loader = ClassDataTraining.class.getClassLoader();
        int loaded = 0;
        for (String name : engineClasses()) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // a class this run cannot load is one no run loads either: left out of the archive
            }
        }
        return loaded;
    }

    /** The names of the classes under io/keyferry/engine/, from this jar (or the classes directory of a build). */
    private static List<String> engineClasses() throws IOException {
        String prefix = "io/keyferry/engine/";
        Path from;
        try {
            from = Path.of(ClassDataTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        if (Files.isDirectory(from)) {
            try (Stream<Path> files = Files.walk(from.resolve(prefix))) {
                files.forEach(f -> entries.add(from.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
            }
        } else {
            try (JarFile jar = new JarFile(from.toFile())) {
                jar.stream().forEach(e -> entries.add(e.getName()));
            }
        }
        List<String> names = new ArrayList<>();
        for (String entry : entries) {
            if (entry.startsWith(prefix) && entry.endsWith(".class")) {
                names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
            }
        }
        return names;
    }
}
