package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.Datasets;
import io.keyferry.testing.FaultProxy;
import io.keyferry.testing.FaultProxy.Way;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Network and server faults injected through a {@link FaultProxy} between `keyferry run`/`verify` and real servers,
 * at several moments (counted in the bytes the copy had sent or read when the fault struck): each transient fault is
 * retried, and the copy finishes exactly as an uninterrupted one (the same target, key for key; no list element
 * appended twice under Merge; `keyferry verify` clean). A fault that outlasts the retry budget exits 3 naming the
 * endpoint and the cause, and the rerun finishes exact. The table of outcomes is in docs/reliability.md.
 */
class NetworkFaultsTest {
    static final int KEYS = 3000;
    static final int BIG = 5000; // past the 4,096 elements copied whole: in chunks
    static final int BIG_STRING = 3 << 20;

    private static RedisServer source;
    private static RedisServer reference;
    /** Bytes the uninterrupted copy sent to the target and read from the source. */
    private static long targetCommandBytes;
    private static long sourceReplyBytes;
    private static Map<String, String> expected;

    @BeforeAll
    static void copyOnceWithoutFaults() throws Exception {
        source = RedisServer.start(List.of("--appendonly", "yes"));
        Datasets.sixTypes(source, KEYS, BIG, BIG_STRING);
        reference = RedisServer.start();
        Datasets.sixTypesPrefill(reference, KEYS);
        try (FaultProxy toSource = FaultProxy.to(source); FaultProxy toTarget = FaultProxy.to(reference)) {
            CliRun run = CliRun.of("run", "-f", manifest(toSource.uri(), toTarget.uri()).toString(), "--no-progress",
                    "--state-dir", CliRun.tempDir().toString());
            assertEquals(0, run.exitCode(), run.toString());
            targetCommandBytes = toTarget.bytes(Way.COMMANDS);
            sourceReplyBytes = toSource.bytes(Way.REPLIES);
        }
        expected = Values.snapshot(reference.redis());
    }

    @AfterAll
    static void stop() {
        reference.close();
        source.close();
    }

    /** A source connection reset while a batch is read: at a tenth, a third, half and nine tenths of the copy. */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.33, 0.5, 0.9})
    void sourceResetMidBatchIsRetriedAndTheCopyEndsExact(double moment) throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toSource = FaultProxy.to(source)) {
            toSource.resetAfter(Way.REPLIES, (long) (sourceReplyBytes * moment));
            CliRun run = copy(toSource.uri(), target.uri());
            assertEquals(0, run.exitCode(), run.toString());
            assertRetried(run, toSource);
            assertExact(target);
        }
    }

    /**
     * A target connection reset while commands are written, the last one cut mid-way: the moments spread over the
     * copy fall among small keys, in a big key's chunks and in the streamed big string (most of the bytes).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.2, 0.4, 0.6, 0.8, 0.97})
    void targetResetMidWriteIsRetriedAndTheCopyEndsExact(double moment) throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toTarget = FaultProxy.to(target)) {
            toTarget.resetAfter(Way.COMMANDS, (long) (targetCommandBytes * moment));
            CliRun run = copy(source.uri(), toTarget.uri());
            assertEquals(0, run.exitCode(), run.toString());
            assertRetried(run, toTarget);
            assertExact(target);
        }
    }

    /** The target's reply cut in half, then its connection reset. */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    void targetReplyCutInHalfIsRetriedAndTheCopyEndsExact(double moment) throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toTarget = FaultProxy.to(target)) {
            toTarget.cutReplyAfter((long) (targetCommandBytes * moment));
            CliRun run = copy(source.uri(), toTarget.uri());
            assertEquals(0, run.exitCode(), run.toString());
            assertRetried(run, toTarget);
            assertExact(target);
        }
    }

    /** The target killed with kill -9 mid-copy and started again from its append-only file: nothing acknowledged is lost. */
    @ParameterizedTest
    @ValueSource(doubles = {0.2, 0.7})
    void targetRestartWithAppendOnlyFileIsRetriedAndTheCopyEndsExact(double moment) throws Exception {
        try (RedisServer target = prefilledTarget(List.of("--appendonly", "yes")); FaultProxy toTarget = FaultProxy.to(target)) {
            CompletableFuture<Void> fault = CompletableFuture.runAsync(() -> {
                awaitBytes(toTarget, Way.COMMANDS, (long) (targetCommandBytes * moment));
                target.crashAndRestart();
            });
            CliRun run = copy(source.uri(), toTarget.uri());
            fault.join();
            assertEquals(0, run.exitCode(), run.toString());
            assertRetried(run, toTarget);
            assertExact(target);
        }
    }

    /**
     * The source killed with kill -9 mid-copy and started again from its append-only file: its SCAN cursor is void in the
     * new process (a new hash seed), so the scan starts over and every key is decided again; exact under Overwrite lists.
     */
    @Test
    void sourceRestartStartsTheScanOverAndTheCopyEndsExact() throws Exception {
        String policies = "{default: Merge, list: Overwrite, string: Overwrite}";
        Map<String, String> want;
        try (RedisServer clean = prefilledTarget(List.of())) {
            assertEquals(0, copy(source.uri(), clean.uri(), policies).exitCode());
            want = Values.snapshot(clean.redis());
        }
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toSource = FaultProxy.to(source)) {
            Path state = CliRun.tempDir();
            CompletableFuture<Void> fault = CompletableFuture.runAsync(() -> {
                awaitScanned(state, KEYS / 3);
                source.crashAndRestart();
            });
            CliRun run = copy(toSource.uri(), target.uri(), policies, state);
            fault.join();
            assertEquals(0, run.exitCode(), run.toString());
            assertRetried(run, toSource);
            assertEquals(want, Values.snapshot(target.redis()));
        }
    }

    /** The same restart with lists under Merge: they cannot be appended again, so the copy stops with exit 3 and says why. */
    @Test
    void sourceRestartWithListsUnderMergeExitsThreeSayingWhy() throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toSource = FaultProxy.to(source)) {
            Path state = CliRun.tempDir();
            CompletableFuture<Void> fault = CompletableFuture.runAsync(() -> {
                awaitScanned(state, KEYS / 3);
                source.crashAndRestart();
            });
            CliRun run = copy(toSource.uri(), target.uri(), MERGE, state);
            fault.join();
            assertEquals(3, run.exitCode(), run.toString());
            assertTrue(run.err().contains("source src (" + toSource.uri() + ") restarted during the copy (INFO run_id was "),
                    run.toString());
            assertTrue(run.err().contains("lists under Merge cannot be appended again"), run.toString());
        }
    }

    /**
     * A target that stops answering for longer than the reply timeout, beyond the retry budget: exit 3 naming the target
     * and the cause, after the reply timeout once per try (no longer); once it answers again the same command finishes exact.
     */
    @Test
    void blackHoledTargetOutlastingTheRetriesExitsThreeNamingItAndTheRerunEndsExact() throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toTarget = FaultProxy.to(target)) {
            Path manifest = manifest(source.uri(), toTarget.uri());
            Path state = CliRun.tempDir();
            CompletableFuture<Void> fault = CompletableFuture.runAsync(() -> {
                awaitBytes(toTarget, Way.COMMANDS, targetCommandBytes / 3);
                toTarget.blackHole(true);
            });
            CliRun failed = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString(),
                    "--retries", "1", "--reply-timeout", "2");
            fault.join();
            assertEquals(3, failed.exitCode(), failed.toString());
            assertTrue(failed.err().contains("target (" + toTarget.uri() + ")"), failed.err());
            assertTrue(failed.err().contains("no reply"), failed.err());
            assertTrue(failed.err().contains("still failing after 1 retry"), failed.err());

            toTarget.blackHole(false);
            CliRun rerun = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
            assertEquals(0, rerun.exitCode(), rerun.toString());
            assertExact(target);
        }
    }

    /**
     * A target that stops reading (a frozen process) while a 32 MiB value goes to it: the socket's buffers fill, the
     * write blocks, and it is ended at the reply timeout (a write has no socket timeout of its own) and retried; past
     * the retries exit 3, and the rerun once it reads again is exact.
     */
    @Test
    void aTargetThatStopsReadingEndsTheBlockedWriteAtTheReplyTimeout() throws Exception {
        try (RedisServer big = RedisServer.start(); RedisServer target = RedisServer.start();
             FaultProxy toTarget = FaultProxy.to(target)) {
            byte[] random = new byte[24 << 20];
            new java.util.Random(7).nextBytes(random);
            String value = java.util.Base64.getEncoder().encodeToString(random); // 32 MiB that no DUMP compresses
            big.redis().set("big:value", value);
            big.redis().set("small", "x");
            toTarget.stopReadingAfter(1 << 20);
            Path state = CliRun.tempDir();
            Path manifest = manifest(big.uri(), toTarget.uri(), "{default: Overwrite}");
            CliRun failed = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString(),
                    "--retries", "1", "--reply-timeout", "2");
            assertEquals(3, failed.exitCode(), failed.toString());
            String first = failed.err().lines().filter(l -> l.contains("retry 1 of 1")).findFirst().orElse("");
            assertTrue(first.contains("target (" + toTarget.uri()) && first.contains("connection lost: the server stopped"
                    + " reading: a write waited past the reply timeout (2 s)"), failed.err());

            toTarget.readAgain();
            CliRun rerun = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
            assertEquals(0, rerun.exitCode(), rerun.toString());
            assertEquals(value, target.redis().get("big:value"));
            assertEquals("x", target.redis().get("small"));
        }
    }

    /** 25 ms more each way on every connection to both servers: slower, and exact. */
    @Test
    void twentyFiveMillisecondsOfLatencyEndsExact() throws Exception {
        try (RedisServer target = prefilledTarget(List.of()); FaultProxy toSource = FaultProxy.to(source);
             FaultProxy toTarget = FaultProxy.to(target)) {
            toSource.latency(Duration.ofMillis(25));
            toTarget.latency(Duration.ofMillis(25));
            CliRun run = copy(toSource.uri(), toTarget.uri());
            assertEquals(0, run.exitCode(), run.toString());
            assertExact(target);
        }
    }

    /** Source and target connections reset at several moments of a verification: it is retried and still clean. */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    void resetsDuringVerificationAreRetriedAndItStaysClean(double moment) throws Exception {
        try (FaultProxy toSource = FaultProxy.to(source); FaultProxy toTarget = FaultProxy.to(reference)) {
            CliRun clean = verify(toSource.uri(), toTarget.uri());
            assertEquals(0, clean.exitCode(), clean.toString());
            long read = toSource.bytes(Way.REPLIES);
            long checked = toTarget.bytes(Way.REPLIES);
            toSource.resetAfter(Way.REPLIES, (long) (read * moment));
            toTarget.resetAfter(Way.REPLIES, (long) (checked * (1 - moment)));
            CliRun run = verify(toSource.uri(), toTarget.uri());
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.err().contains("retry 1 of"), run.toString());
            assertTrue(run.out().contains("0 differ") || !run.out().contains("differ"), run.toString());
        }
    }

    private static RedisServer prefilledTarget(List<String> args) {
        RedisServer target = RedisServer.start(args);
        Datasets.sixTypesPrefill(target, KEYS);
        return target;
    }

    private static CliRun copy(String sourceUri, String targetUri) {
        return copy(sourceUri, targetUri, MERGE);
    }

    private static CliRun copy(String sourceUri, String targetUri, String policies) {
        return copy(sourceUri, targetUri, policies, CliRun.tempDir());
    }

    private static CliRun copy(String sourceUri, String targetUri, String policies, Path state) {
        return CliRun.of("run", "-f", manifest(sourceUri, targetUri, policies).toString(), "--no-progress",
                "--state-dir", state.toString());
    }

    /** Waits until the copy's saved state says it scanned {@code keys} keys of the source (and has not finished). */
    static void awaitScanned(Path state, long keys) {
        Path file = state.resolve("checkpoint.json");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (java.nio.file.Files.exists(file)) {
                    com.fasterxml.jackson.databind.JsonNode cp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
                    if (cp.path("sources").path(0).path("keysScanned").asLong() >= keys) {
                        return;
                    }
                }
                Thread.sleep(2);
            }
        } catch (java.io.IOException notWhole) {
            awaitScanned(state, keys); // read while it was replaced: read again
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the copy never scanned " + keys + " keys");
    }

    private static CliRun verify(String sourceUri, String targetUri) {
        return CliRun.of("verify", "-f", manifest(sourceUri, targetUri).toString(), "--no-progress");
    }

    /** Merge, so a list batch applied twice would show as doubled elements; strings Overwrite. */
    private static final String MERGE = "{default: Merge, string: Overwrite}";

    static Path manifest(String sourceUri, String targetUri) {
        return manifest(sourceUri, targetUri, MERGE);
    }

    static Path manifest(String sourceUri, String targetUri, String policies) {
        return CliRun.manifest("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: faults}\n"
                + "spec:\n  sources: [{name: src, endpoint: {uri: \"" + sourceUri + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + targetUri + "\"}}\n"
                + "  policies: " + policies + "\n  verify: {mode: \"Off\"}\n"
                + "  worker: {batchSize: 100}\n");
    }

    private static void assertRetried(CliRun run, FaultProxy proxy) {
        assertTrue(run.err().contains("retry 1 of 5"), run.toString());
        assertTrue(proxy.connections() > 1, "connected again");
    }

    /** The target as the uninterrupted copy left it, then `keyferry verify` against the source finds it clean. */
    private static void assertExact(RedisServer target) {
        Map<String, String> got = Values.snapshot(target.redis());
        assertEquals(expected.keySet(), got.keySet(), "the same keys");
        for (String key : expected.keySet()) {
            assertEquals(expected.get(key), got.get(key), key);
        }
        CliRun verified = verify(source.uri(), target.uri());
        assertEquals(0, verified.exitCode(), verified.toString());
    }

    private static void awaitBytes(FaultProxy proxy, Way way, long bytes) {
        try {
            if (!proxy.awaitBytes(way, bytes)) {
                throw new AssertionError("the copy never sent " + bytes + " bytes " + way);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
