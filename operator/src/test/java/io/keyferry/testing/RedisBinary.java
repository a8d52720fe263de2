package io.keyferry.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The redis-server the tests start: the one on PATH (Redis 7, as CI installs it), or else the one that
 * embedded-redis carries in its jar (Redis 6.2), so a machine with only Java and Maven runs the tests too.
 * {@code -Dkeyferry.redis=bundled} takes the bundled one even where PATH has a redis-server.
 */
public record RedisBinary(Path path, String version, String origin) {
    private static final String POM_PROPERTIES = "META-INF/maven/com.github.codemonstur/embedded-redis/pom.properties";
    private static final Path SCRIPT = Path.of("../scripts/bundled-redis.sh").toAbsolutePath();
    private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");
    private static final RedisBinary CHOSEN = choose();

    /** The binary of this test run; the first call says in the test log which one it is. */
    public static RedisBinary get() {
        return CHOSEN;
    }

    /** The major version: 7 for 7.0.15. */
    public int major() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    private static RedisBinary choose() {
        boolean forced = "bundled".equals(System.getProperty("keyferry.redis"));
        Path onPath = forced ? null : onPath("redis-server");
        RedisBinary binary = onPath != null
                ? new RedisBinary(onPath, versionOf(onPath), "from PATH (" + onPath + ")")
                : bundled(forced ? "-Dkeyferry.redis=bundled" : "no redis-server on PATH");
        System.out.println("[keyferry tests] redis-server " + binary.version + " " + binary.origin);
        return binary;
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The binary for this OS and CPU, which scripts/bundled-redis.sh copies out of the jar into target/. */
    private static RedisBinary bundled(String why) {
        URL pom = RedisBinary.class.getClassLoader().getResource(POM_PROPERTIES);
        if (pom == null) {
            throw new IllegalStateException("no redis-server on PATH and embedded-redis is not on the test class path");
        }
        try (InputStream in = pom.openStream()) {
            Properties artifact = new Properties();
            artifact.load(in);
            Path jar = Path.of(((JarURLConnection) pom.openConnection()).getJarFileURL().toURI());
            Path binary = Path.of(run(SCRIPT.toString(), jar.toString(), "target/bundled-redis").strip());
            return new RedisBinary(binary, versionOf(binary),
                    "bundled in embedded-redis " + artifact.getProperty("version") + " (" + why + ")");
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot take redis-server out of embedded-redis", e);
        }
    }

    /** "7.0.15" from `redis-server --version` ("Redis server v=7.0.15 sha=..."). */
    private static String versionOf(Path binary) {
        String out = run(binary.toString(), "--version");
        Matcher v = VERSION.matcher(out);
        if (!v.find()) {
            throw new IllegalStateException(binary + " --version said: " + out);
        }
        return v.group(1);
    }

    /** What the command printed; the JDK's tools (jar) come first on its PATH. */
    private static String run(String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Path jdkBin = Path.of(System.getProperty("java.home"), "bin");
        builder.environment().merge("PATH", jdkBin.toString(), (path, jdk) -> jdk + File.pathSeparator + path);
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
