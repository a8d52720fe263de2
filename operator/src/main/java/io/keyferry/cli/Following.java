package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.CopyFailedException;
import io.keyferry.engine.CopyResult;
import io.keyferry.engine.Migration;
import io.keyferry.engine.PartitionedCopy;
import io.keyferry.engine.sync.Follow;
import io.keyferry.engine.sync.Position;
import io.keyferry.engine.sync.PositionFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * `keyferry run --follow`: every source is followed from before the backfill, the backfill runs, then the changes
 * collected meanwhile and after are applied until Ctrl-C, which saves the positions and exits 0. A rerun resumes from
 * the saved positions; where a source cannot continue from its position, the target is verified with repair first.
 */
final class Following {
    private Following() {}

    static int run(PartitionedCopy copy, DataMigration dm, Path state, boolean restart, boolean noProgress, PrintWriter out,
                   PrintWriter err) {
        List<String> names = dm.getSpec().getSources().stream().map(SourceSpec::getName).toList();
        PositionFile positions = new PositionFile(state);
        if (restart) {
            positions.clear();
        }
        Migration m = copy.first();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        List<Position> saved = positions.load(names);
        try (Follow follow = new Follow(dm.getSpec(), m, saved, m::openRawSource)) {
            if (saved == null) { // a run killed in the backfill follows on from here: what its copy read may change meanwhile
                positions.save(names, follow.positions());
            }
            ProgressDisplay progress = ProgressDisplay.create(err, noProgress);
            CopyResult result = copy.copy(progress);
            progress.finish(true);
            Summary.printCopy(result, out);
            out.println("following " + String.join(", ", names) + " (Ctrl-C to stop; the positions are saved in " + state + ")");
            out.flush();
            long[] lastLine = {0};
            follow.run(stop::get, p -> positions.save(names, p), lags -> {
                if (System.currentTimeMillis() - lastLine[0] >= 5000) {
                    lastLine[0] = System.currentTimeMillis();
                    err.println("keyferry: " + describe(lags));
                    err.flush();
                }
            }, lost -> {
                err.println("keyferry: the changes of " + lost + " since the saved position are no longer available"
                        + " (the source's replication backlog was overwritten, its write-ahead log recycled, or too many keys"
                        + " waited): verifying the target"
                        + " with repair, while new changes are collected");
                err.flush();
                ProgressDisplay shown = ProgressDisplay.create(err, noProgress);
                io.keyferry.engine.verify.VerifyResult rescanned = m.rescan(shown);
                shown.finish(true);
                Summary.printVerification(rescanned, out);
            });
            out.println("stopped: " + describe(follow.lag()) + "; positions saved in " + state);
            return ExitCodes.OK;
        } catch (CopyFailedException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("keyferry: follow failed: " + e.getMessage());
            err.println("keyferry: state kept in " + state + "; run the same command again to resume.");
            return ExitCodes.COPY_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.COPY_FAILED;
        } finally {
            out.flush();
            err.flush();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it is waiting for this
            }
        }
    }

    static String describe(List<Follow.Lag> lags) {
        StringBuilder s = new StringBuilder();
        for (Follow.Lag l : lags) {
            s.append(s.length() == 0 ? "" : "; ").append("source ").append(l.source()).append(": ").append(l.keysApplied())
                    .append(" keys applied, ").append(l.behind()).append(' ').append(l.behindUnit()).append(" behind, ")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", l.secondsBehind())).append(" s, at ")
                    .append(l.applied().encode());
        }
        return s.toString();
    }
}
