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
        return run(fakeJava(), program, env, args);
    }

    /**
     * A directory holding keyferry.jar (not a jar) and a java that prints its arguments; where DUMPS is set it also
     * acts as a JVM that writes a class-data archive (-XX:ArchiveClassesAtExit), noting each such run in DIR/dumps.
     */
    private static Path fakeJava() throws IOException {
        Path dir = Files.createTempDirectory("keyferry-launcher-");
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "for a in \"$@\"; do case $a in -XX:ArchiveClassesAtExit=*)\n"
                + "  echo \"$@\" >>\"$(dirname \"$0\")/dumps\"; [ -n \"${DUMPS:-}\" ] || exit 1; echo archive >\"${a#*=}\"; exit 0;;\n"
                + "esac; done\n"
                + "echo \"$@\"\necho \"tty=$KEYFERRY_STDOUT_TTY/$KEYFERRY_STDIN_TTY\"\n");
        assertTrue(java.toFile().setExecutable(true));
        Files.writeString(dir.resolve("keyferry.jar"), "not a jar");
        return dir;
    }

    private static Launch run(Path dir, Path program, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path jar = dir.resolve("keyferry.jar");
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeAll(List.of("JAVA_OPTS", "KEYFERRY_JAVA_OPTS", "JAVA_HOME", "KEYFERRY_CDS",
                "KEYFERRY_CDS_ARCHIVE"));
        pb.environment().putAll(Map.of("JAVA", dir.resolve("java").toString(), "KEYFERRY_JAR", jar.toString()));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("keyferry-launcher-", ".out");
        Path err = Files.createTempFile("keyferry-launcher-", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the launcher did not end");
        return new Launch(p.exitValue(), Files.readString(out).replace(jar.toString(), "JAR").replace(dir.toString(), "DIR"),
                Files.readString(err));
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

    /** What the fake java prints for a command run with the archive DIR/{@code archive} mapped. */
    private static String mapping(String archive, String command) {
        return "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile=DIR/" + archive
                + " -Xlog:cds=off,cds+dynamic=off -jar JAR " + command + "\ntty=0/0\n";
    }

    @Test
    void aClassDataArchiveIsMadeOnceBesideTheJarAndEveryRunMapsIt() throws Exception {
        Path dir = fakeJava();
        Map<String, String> dumps = Map.of("DUMPS", "1");
        String withArchive = mapping("keyferry.jsa", "verify");
        assertEquals(withArchive, run(dir, SCRIPTS.resolve("keyferry"), dumps, "verify").out());
        List<String> made = Files.readAllLines(dir.resolve("dumps"));
        assertEquals(1, made.size(), made::toString);
        assertTrue(made.get(0).matches("-XX:TieredStopAtLevel=1 -XX:\\+UseSerialGC -XX:ArchiveClassesAtExit=\\S+"
                + " -cp \\S+ io\\.keyferry\\.cli\\.ClassDataTraining run"), made.get(0));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("keyferry.jsa"))), "readable by the image's own user");
        try (var left = Files.list(dir)) {
            assertEquals(List.of("dumps", "java", "keyferry.jar", "keyferry.jsa"), left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary file or manifest left");
        }

        assertEquals(withArchive, run(dir, SCRIPTS.resolve("keyferry"), dumps, "verify").out());
        assertEquals(1, Files.readAllLines(dir.resolve("dumps")).size(), "made once");

        Files.setLastModifiedTime(dir.resolve("keyferry.jsa"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals(withArchive, run(dir, SCRIPTS.resolve("keyferry"), dumps, "verify").out());
        assertEquals(2, Files.readAllLines(dir.resolve("dumps")).size(), "made again for a newer jar");
    }

    @Test
    void theKubectlPluginMakesAndMapsAnArchiveOfItsOwn() throws Exception {
        Path dir = fakeJava();
        Map<String, String> dumps = Map.of("DUMPS", "1");
        String kubectl = mapping("keyferry-kubectl.jsa", "kubectl status x");
        assertEquals(kubectl, run(dir, SCRIPTS.resolve("kubectl-keyferry"), dumps, "status", "x").out());
        assertEquals(kubectl, run(dir, SCRIPTS.resolve("kubectl-keyferry"), dumps, "status", "x").out());
        List<String> made = Files.readAllLines(dir.resolve("dumps"));
        assertEquals(1, made.size(), "made once: " + made);
        assertTrue(made.get(0).matches("-XX:TieredStopAtLevel=1 -XX:\\+UseSerialGC -XX:ArchiveClassesAtExit=DIR_PATH/keyferry-kubectl\\.jsa\\.\\S+"
                .replace("DIR_PATH", java.util.regex.Pattern.quote(dir.toString()))
                + " -cp \\S+ io\\.keyferry\\.cli\\.ClassDataTraining kubectl"), made.get(0));
        try (var left = Files.list(dir)) {
            assertEquals(List.of("dumps", "java", "keyferry-kubectl.jsa", "keyferry.jar"),
                    left.map(f -> f.getFileName().toString()).sorted().toList(), "the other commands' archive is not made for it");
        }

        assertEquals(mapping("keyferry.jsa", "verify"), run(dir, SCRIPTS.resolve("keyferry"), dumps, "verify").out());
        assertEquals(2, Files.readAllLines(dir.resolve("dumps")).size(), "the other commands make theirs");
    }

    @Test
    void noArchiveWhenTurnedOffWhereItCannotBeWrittenOrWhereJavaCannotMakeOne() throws Exception {
        Path dir = fakeJava();
        String plain = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar JAR verify\ntty=0/0\n";
        assertEquals(plain, run(dir, SCRIPTS.resolve("keyferry"), Map.of("DUMPS", "1", "KEYFERRY_CDS", "off"), "verify").out());
        assertEquals(plain, run(dir, SCRIPTS.resolve("keyferry"),
                Map.of("DUMPS", "1", "KEYFERRY_CDS_ARCHIVE", "/nonexistent/keyferry.jsa"), "verify").out());
        assertTrue(Files.notExists(dir.resolve("dumps")), "no archive made");
        assertEquals(plain, run(dir, SCRIPTS.resolve("keyferry"), Map.of(), "verify").out()); // this java makes none
        assertEquals(plain, run(dir, SCRIPTS.resolve("keyferry"), Map.of(), "verify").out());
        assertEquals(1, Files.readAllLines(dir.resolve("dumps")).size(), "tried once for this jar, not on every run");
        assertEquals(0, Files.size(dir.resolve("keyferry.jsa")), "an empty archive says it was tried");
        try (var left = Files.list(dir)) {
            assertEquals(List.of("dumps", "java", "keyferry.jar", "keyferry.jsa"), left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary file or manifest left");
        }
    }

    @Test
    void aMissingJarIsNamedWithWhereItWasLookedFor() throws Exception {
        Launch l = launch(Map.of("KEYFERRY_JAR", "/nonexistent/keyferry.jar"), "run");
        assertEquals(2, l.exitCode());
        assertTrue(l.err().contains("keyferry.jar not found") && l.err().contains("set KEYFERRY_JAR"), l.err());
    }
}
