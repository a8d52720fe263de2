package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import io.keyferry.testing.UndoData;
import io.keyferry.testing.peers.StoreDouble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * `keyferry run` with the undo journal, then `keyferry undo`: three sources merged into a pre-filled target under every
 * policy, over every type with expiries, type mismatches and big keys; after the undo every key of the target has
 * the DEBUG DIGEST-VALUE and the TTL (less the time passed) it had before the copy, and DBSIZE is the same.
 */
class UndoCommandTest {
    static final int KEYS = 120;

    @ParameterizedTest
    @ValueSource(strings = {"Overwrite", "default: Merge, string: Overwrite", "Fill", "Skip", "string: Overwrite, hash: Merge, list: Fill, set: Skip, zset: Merge, stream: Overwrite"})
    void anUndoPutsBackEveryKeyOfAMergeOfThreeSources(String policies) throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
             RedisServer target = RedisServer.withDebugCommand()) {
            List<RedisServer> sources = fill(List.of(s0, s1, s2), target, true);
            Path manifest = manifest(sources, target.uri(), policies, "");
            Path state = CliRun.tempDir();
            TargetSnapshot before = TargetSnapshot.of(target);

            CliRun run = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains("undo journal:"), run.out());
            long changed = before.changedIn(TargetSnapshot.of(target));
            assertTrue(changed > KEYS, "the copy changed " + changed + " keys of the target");

            CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
            assertEquals(0, undo.exitCode(), undo.out() + undo.err());
            assertTrue(undo.out().contains("check clean"), undo.out());
            before.assertRestoredIn(TargetSnapshot.of(target), 0, policies);
            assertFalse(Files.exists(state.resolve("checkpoint.json")), "the copy's checkpoint is removed after the undo");
        }
    }

    /** A Pika target (no DUMP): the journal keeps every value type-natively, a big one in chunks. */
    @Test
    void aTargetWithoutDumpIsPutBackFromChunks() throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
             RedisServer behind = RedisServer.withDebugCommand(); StoreDouble pika = StoreDouble.pika(behind)) {
            List<RedisServer> sources = fill(List.of(s0, s1, s2), behind, false);
            // Pika's recorded INFO shows no keys: the journal is asked for rather than left to the probe.
            Path manifest = manifest(sources, pika.uri(), "Overwrite", "  undo: {enabled: true}\n");
            Path state = CliRun.tempDir();
            TargetSnapshot before = TargetSnapshot.of(behind);
            CliRun run = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(before.changedIn(TargetSnapshot.of(behind)) > KEYS);
            CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
            assertEquals(0, undo.exitCode(), undo.out() + undo.err());
            // Pika keeps expiries in whole seconds: the undo rounds up, so an expiry may stand up to a second later.
            before.assertRestoredIn(TargetSnapshot.of(behind), 1000, "pika");
        }
    }

    /** A journal over spec.undo.maxBytes stops the copy before it writes what it could not record: the undo is exact. */
    @Test
    void aJournalOverItsLimitStopsTheCopyBeforeItWrites() throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
             RedisServer target = RedisServer.withDebugCommand()) {
            List<RedisServer> sources = fill(List.of(s0, s1, s2), target, true);
            Path manifest = manifest(sources, target.uri(), "Overwrite", "  undo: {maxBytes: 300000}\n");
            Path state = CliRun.tempDir();
            TargetSnapshot before = TargetSnapshot.of(target);
            CliRun run = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
            assertEquals(3, run.exitCode(), run.out() + run.err());
            assertTrue(run.err().contains("spec.undo.maxBytes (300000)"), run.err());
            long journal = Files.size(state.resolve("undo.journal"));
            assertTrue(journal <= 300000 + 12 * 100, "journal of " + journal + " bytes");
            if (journal == 0) { // the first batch in SCAN order (seeded per server) held the 600 KB string: nothing written
                before.assertRestoredIn(TargetSnapshot.of(target), 0, "stopped at the first batch");
                return;
            }
            assertTrue(before.changedIn(TargetSnapshot.of(target)) > 0, "the copy wrote the batches it recorded");
            CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
            assertEquals(0, undo.exitCode(), undo.out() + undo.err());
            before.assertRestoredIn(TargetSnapshot.of(target), 0, "after the limit");
        }
    }

    /** The check after an undo finds a key changed, a created key back and an expiry lost: it can fail. */
    @Test
    void theCheckFindsWhatTheUndoDidNotPutBack() throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
             RedisServer target = RedisServer.withDebugCommand()) {
            List<RedisServer> sources = fill(List.of(s0, s1, s2), target, true);
            Path manifest = manifest(sources, target.uri(), "Overwrite", "");
            Path state = CliRun.tempDir();
            assertEquals(0, CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString()).exitCode());
            var spec = io.keyferry.api.ManifestLoader.load(manifest).getSpec();
            try (io.keyferry.engine.undo.UndoRun undo = new io.keyferry.engine.undo.UndoRun("undo", spec,
                    new io.keyferry.engine.FileSecretResolver(null), t -> new io.keyferry.engine.undo.FileSegmentStore(state))) {
                undo.prepare();
                undo.restore(n -> { });
                assertTrue(undo.check().clean());
                target.redis().hset("hash:2", "f", "changed after the undo");
                target.redis().set("str:1", "created again");
                target.redis().persist("str:6"); // it had an expiry before the copy
                io.keyferry.engine.undo.UndoResult checked = undo.check();
                assertEquals(3, checked.mismatched(), checked.mismatches().toString());
            }
        }
    }

    /** Loads the three sources and the pre-filled target ({@link UndoData}). */
    static List<RedisServer> fill(List<RedisServer> sources, RedisServer target, boolean streams) {
        for (int s = 0; s < sources.size(); s++) {
            UndoData.source(sources.get(s), s, KEYS, streams);
        }
        UndoData.target(target, KEYS, streams);
        return sources;
    }

    static Path manifest(List<RedisServer> sources, String target, String policies, String more) {
        return manifest(sources, target, policies, more, "{batchSize: 50}");
    }

    static Path manifest(List<RedisServer> sources, String target, String policies, String more, String worker) {
        StringBuilder yaml = new StringBuilder("apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: undo}\n"
                + "spec:\n  sources:\n");
        for (int s = 0; s < sources.size(); s++) {
            yaml.append("  - {name: s").append(s).append(", endpoint: {uri: \"").append(sources.get(s).uri()).append("\"}}\n");
        }
        String policy = policies.contains(":") ? policies : "default: " + policies;
        yaml.append("  target: {endpoint: {uri: \"").append(target).append("\"}}\n")
                .append("  policies: {").append(policy).append(", typeMismatch: Overwrite}\n")
                .append("  verify: {mode: \"Off\"}\n  worker: ").append(worker).append("\n").append(more);
        return CliRun.manifest(yaml.toString());
    }
}
