package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.TargetSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of `keyferry run` (a child JVM) in the middle of a journaled copy, at instants drawn from a seed printed at
 * the start ({@code -Dkeyferry.undoKillSeed=N} replays them), a few times over; then `keyferry undo`: the target is
 * exactly as before the copy. So the journal covered every key the killed runs changed, whatever instant they died at.
 */
class UndoKillTest {
    private static final long SEED = Long.getLong("keyferry.undoKillSeed", System.nanoTime());

    @Test
    void killedCopiesAreUndoneExactly() throws Exception {
        System.out.println("[undo kill] seed " + SEED + "; replay with -Dkeyferry.undoKillSeed=" + SEED);
        Random random = new Random(SEED);
        for (int chain = 0; chain < 2; chain++) {
            try (RedisServer s0 = RedisServer.start(); RedisServer s1 = RedisServer.start(); RedisServer s2 = RedisServer.start();
                 RedisServer target = RedisServer.withDebugCommand()) {
                List<RedisServer> sources = UndoCommandTest.fill(List.of(s0, s1, s2), target, true);
                // Paced and in small batches, so that the kills land while keys are being written.
                Path manifest = UndoCommandTest.manifest(sources, target.uri(), "default: Merge, string: Overwrite",
                        "  undo: {enabled: true}\n", "{batchSize: 20, rateLimit: {keysPerSecond: 400}}");
                Path state = CliRun.tempDir();
                TargetSnapshot before = TargetSnapshot.of(target);
                List<Long> kills = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    long wait = 1200 + random.nextInt(2500);
                    ChildJvm child = ChildJvm.start("256m", "run", "-f", manifest.toString(), "--no-progress",
                            "--state-dir", state.toString());
                    if (k == 0) { // on a busy machine a child JVM may take longer than the wait to write its first key
                        long started = System.nanoTime();
                        while (child.isAlive() && before.changedIn(TargetSnapshot.of(target)) == 0
                                && System.nanoTime() - started < 60_000_000_000L) {
                            Thread.sleep(50);
                        }
                        wait = random.nextInt(1200);
                    }
                    Thread.sleep(wait);
                    if (child.isAlive()) {
                        child.killHard();
                        kills.add(wait);
                    } else {
                        kills.add(-wait);
                    }
                }
                String what = "chain " + chain + ", kills at " + kills + " ms (seed " + SEED + ")";
                System.out.println("[undo kill] " + what);
                assertTrue(before.changedIn(TargetSnapshot.of(target)) > 0, "the killed runs changed the target, " + what);
                CliRun undo = CliRun.of("undo", "-f", manifest.toString(), "--state-dir", state.toString());
                assertEquals(0, undo.exitCode(), what + "\n" + undo.out() + undo.err());
                before.assertRestoredIn(TargetSnapshot.of(target), 0, what);
            }
        }
    }
}
