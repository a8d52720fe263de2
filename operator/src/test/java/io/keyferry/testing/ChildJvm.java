package io.keyferry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `keyferry` in a child JVM with its own heap limit, so a test can measure its memory or kill -9 it.
 * The child runs on this JVM's class path (the build's classes), exactly as the jar would.
 */
public final class ChildJvm {
    private final Process process;
    private final Path log;
    private long peakRssKb;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildJvm start(String maxHeap, String... args) {
        return start(java.util.Map.of(), maxHeap, args);
    }

    /**
     * A child with these environment variables added to this JVM's, started as scripts/keyferry starts the product: C1
     * only and the serial collector.
     */
    public static ChildJvm start(java.util.Map<String, String> env, String maxHeap, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.keyferry.cli.Main"));
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("keyferry-child-", ".log");
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            return new ChildJvm(p, log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the exit, sampling the resident set size; returns the exit code. */
    public int waitFor(long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
                sampleRss();
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException("keyferry did not finish within " + timeoutSeconds + " s\n" + output());
                }
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. */
    public void killHard() {
        try {
            new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start().waitFor();
            process.waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** kill -STOP (frozen: a partitioned or paused node) or kill -CONT (it wakes up, unaware of the time that passed). */
    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exit code, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The highest resident set size the kernel recorded for the child (VmHWM), in MiB. */
    public long peakRssMb() {
        return peakRssKb / 1024;
    }

    private void sampleRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended between two samples
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
