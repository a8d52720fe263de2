package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import io.keyferry.testing.UndoData;
import io.keyferry.testing.peers.StoreDouble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The deletes a migration makes in its target are journaled too, so an undo brings those keys back: the extra-key
 * repair (`keyferry verify --repair --extra-keys`, with and without transactions on the target) and a live sync's
 * delete of a key no source holds any more.
 */
class UndoDeletesTest {
    static final int KEYS = 60;

    /** On Redis: WATCHed deletes in MULTI/EXEC, the journal by DUMP. */
    @Test
    void keysTheExtraKeyRepairDeletedComeBackWithTheUndo() throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer target = RedisServer.withDebugCommand()) {
            extraKeysThenUndo(s0, target, target.uri(), 0);
        }
    }

    /** On Pika (no MULTI, no DUMP): plain deletes, the journal type-native. */
    @Test
    void keysTheExtraKeyRepairDeletedFromPikaComeBackWithTheUndo() throws Exception {
        try (RedisServer s0 = RedisServer.start(); RedisServer behind = RedisServer.withDebugCommand();
             StoreDouble pika = StoreDouble.pika(behind)) {
            extraKeysThenUndo(s0, behind, pika.uri(), 1000);
        }
    }

    private static void extraKeysThenUndo(RedisServer source, RedisServer target, String targetUri, long slackMs)
            throws Exception {
        UndoData.source(source, 0, KEYS, false);
        UndoData.target(target, KEYS, false);
        // Pika's recorded INFO shows no keys: there the journal is asked for rather than left to the probe.
        Path manifest = UndoCommandTest.manifest(List.of(source), targetUri, "Overwrite",
                slackMs > 0 ? "  undo: {enabled: true}\n" : "");
        Files.writeString(manifest, Files.readString(manifest).replace("mode: \"Off\"", "mode: Full"));
        Path state = CliRun.tempDir();
        TargetSnapshot before = TargetSnapshot.of(target);
        long own = target.redis().keys("own:*").size();
        assertTrue(own > 0);

        CliRun run = CliRun.of("run", "-f", manifest.toString(), "--no-progress", "--state-dir", state.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertEquals(own, target.redis().keys("own:*").size(), "the copy leaves the target's own keys alone");
        long journal = Files.size(state.resolve("undo.journal"));

        CliRun verify = CliRun.of("verify", "-f", manifest.toString(), "--no-progress", "--repair", "--extra-keys",
                "--state-dir", state.toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertEquals(0, target.redis().keys("own:*").size(), "the repair deleted the keys no source has\n" + verify.out());
        assertTrue(Files.size(state.resolve("undo.journal")) > journal, "the repair recorded what it deleted");

        CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
        assertEquals(0, undo.exitCode(), undo.out() + undo.err());
        before.assertRestoredIn(TargetSnapshot.of(target), slackMs, "after the extra-key repair and the undo");
    }

    /**
     * A key only the target had, written and deleted in one transaction in the source while followed: the follower
     * deletes it from the target (Overwrite: no source holds it), its first change, so the journal records it then.
     */
    @Test
    void aKeyALiveSyncDeletedComesBackWithTheUndo() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.withDebugCommand()) {
            UndoData.source(source, 0, KEYS, false);
            UndoData.target(target, KEYS, false);
            Path manifest = UndoCommandTest.manifest(List.of(source), target.uri(), "Overwrite", "");
            Path state = CliRun.tempDir();
            TargetSnapshot before = TargetSnapshot.of(target);
            ChildJvm follower = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress", "--follow",
                    "--state-dir", state.toString());
            try {
                await("following", () -> follower.output().contains("following s0"), follower);
                var tx = source.redis();
                tx.multi();
                tx.set("own:1", "briefly in the source");
                tx.del("own:1");
                tx.exec();
                await("the delete followed", () -> target.redis().exists("own:1") == 0, follower);
            } finally {
                follower.signal("TERM");
                follower.waitFor(60);
            }
            CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
            assertEquals(0, undo.exitCode(), undo.out() + undo.err());
            before.assertRestoredIn(TargetSnapshot.of(target), 0, "after a followed delete and the undo");
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier done, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.getAsBoolean()) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError((child.isAlive() ? "timed out waiting for " : "the follower exited before ") + what
                        + "\n" + child.output());
            }
            Thread.sleep(100);
        }
    }
}
