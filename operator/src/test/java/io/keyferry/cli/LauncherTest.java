package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * scripts/keyferry, the launcher (the image's entry point, and what kubectl-keyferry runs): which Java it runs, with
 * which JVM options, on which jar. Java is replaced by a script that prints its arguments (the jar's path as JAR).
 */
class LauncherTest {
    private static final Path SCRIPTS = Path.of("../scripts").toAbsolutePath().normalize();

    private record Launch(int exitCode, String out, String err) {}

    private static Launch run(Path program, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("keyferry-launcher-");
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\necho \"tty=$KEYFERRY_STDOUT_TTY/$KEYFERRY_STDIN_TTY\"\n");
        assertTrue(java.toFile().setExecutable(true));
        Path jar = dir.resolve("keyferry.jar");
        Files.writeString(jar, "not a jar");
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeAll(List.of("JAVA_OPTS", "KEYFERRY_JAVA_OPTS", "JAVA_HOME"));
        pb.environment().putAll(Map.of("JAVA", java.toString(), "KEYFERRY_JAR", jar.toString()));
        pb.environment().putAll(env);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the launcher did not end");
        return new Launch(p.exitValue(), Files.readString(out).replace(jar.toString(), "JAR"), Files.readString(err));
    }

    private static Launch launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(SCRIPTS.resolve("keyferry"), env, args);
    }

    @Test
    void runsTheJarWithC1AndTheSerialCollectorAfterTheUsersMemoryOptions() throws Exception {
        Launch l = launch(Map.of("JAVA_OPTS", "-Xmx256m"), "run", "-f", "a b.yaml");
        assertEquals(0, l.exitCode(), l::toString);
        assertEquals("-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar JAR run -f a b.yaml\ntty=0/0\n", l.out());
    }

    @Test
    void keyferryJavaOptsReplacesTheOptionsAndEmptyLeavesTheJvmsOwn() throws Exception {
        assertEquals("-XX:+UseG1GC -jar JAR verify\ntty=0/0\n",
                launch(Map.of("KEYFERRY_JAVA_OPTS", "-XX:+UseG1GC"), "verify").out());
        assertEquals("-jar JAR verify\ntty=0/0\n", launch(Map.of("KEYFERRY_JAVA_OPTS", ""), "verify").out());
    }

    @Test
    void kubectlKeyferryRunsTheKubectlCommandThroughItFromASymlink() throws Exception {
        Path link = Files.createTempDirectory("keyferry-bin-").resolve("kubectl-keyferry");
        Files.createSymbolicLink(link, SCRIPTS.resolve("kubectl-keyferry"));
        Launch l = run(link, Map.of(), "status", "x");
        assertEquals(0, l.exitCode(), l::toString);
        assertEquals("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar JAR kubectl status x\ntty=0/0\n", l.out());
    }

    @Test
    void aMissingJarIsNamedWithWhereItWasLookedFor() throws Exception {
        Launch l = launch(Map.of("KEYFERRY_JAR", "/nonexistent/keyferry.jar"), "run");
        assertEquals(2, l.exitCode());
        assertTrue(l.err().contains("keyferry.jar not found") && l.err().contains("set KEYFERRY_JAR"), l.err());
    }
}
