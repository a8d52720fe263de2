package io.keyferry.engine;

import io.keyferry.api.DataType;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.CheckpointStore;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.GuardedCopy;
import io.keyferry.engine.copy.PaceClock;
import io.keyferry.engine.copy.RateLimiter;
import io.keyferry.engine.copy.SourceCopier;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.copy.TargetBackoff;
import io.keyferry.engine.redis.RedisLink;
import java.util.function.LongConsumer;

/**
 * Source {@code i} of a migration copied by SCAN from its saved cursor ({@link SourceCopier}): the scan goes over the
 * source's first connection, and deciding, reading and big keys' chunks each over a connection of their own, under
 * the policies; paced by the rate limits (shared among the parts that copy the source at once) and the target's
 * backoff, and guarded batch by batch where the application writes both stores.
 */
final class ScanRun {
    /** How a copy is split and paced: its part of each source, of how many; its clock and backoff; its guard. */
    record Pacing(int part, int parts, PaceClock clock, TargetBackoff backoff, int sourceOpsPerSecond, boolean guardWrites) {
        /** A source's rate limit shared among the parts copying it at once (0 stays unlimited). */
        int perPart(int limit) {
            return limit <= 0 ? limit : Math.max(1, (limit + parts - 1) / parts);
        }
    }

    private final Migration migration;
    private final int index;
    private final Pacing pacing;

    ScanRun(Migration migration, int index, Pacing pacing) {
        this.migration = migration;
        this.index = index;
        this.pacing = pacing;
    }

    void copy(Checkpoint cp, CheckpointStore store, LongConsumer progress) {
        SourceSpec s = migration.spec().getSources().get(index);
        CopyPlan.SourcePlan plan = migration.sourcePlan(index);
        RedisLink source = migration.source(index);
        SourceRestarts.check(cp, index, migration.sourceProfile(index).runId(), source.label(),
                migration.spec().getPolicies().forType(DataType.LIST), CopyStart.typeFilter(s.getKeys()));
        MigrationLinks links = migration.links();
        RedisLink decide = links.openSource(index);
        RedisLink values = links.openSource(index);
        RedisLink chunks = links.openSource(index);
        BatchCopier batches = new BatchCopier(s.getName(),
                new BatchCopier.Links(decide, migration.targetReads(), values, chunks, migration.target()),
                migration.targetProfile(), migration::openRawTarget, migration.spec().getPolicies(), plan.strategy(),
                CopyStart.typeFilter(s.getKeys())).journaling(migration.journal()).keepingListBases(migration.listBases());
        int keysPerSecond = pacing.perPart(migration.spec().getWorker().getRateLimit().getKeysPerSecond());
        int batchSize = RateLimiter.batchWithin(migration.spec().getWorker().getBatchSize(), keysPerSecond);
        SourceScan scan = new SourceScan(source, plan.profile(), s.getKeys(),
                pacing.guardWrites() ? Math.min(batchSize, GuardedCopy.BATCH_AT_MOST) : batchSize,
                pacing.part(), pacing.parts()).leavingStateKeysOut(s.stateKeysLeftOut());
        SourceCopier copier = new SourceCopier(index, scan, batches, new RateLimiter(keysPerSecond, pacing.clock()),
                pacing.backoff());
        if (pacing.guardWrites()) {
            copier.guarded();
        }
        if (pacing.sourceOpsPerSecond() > 0) {
            copier.pacingSourceCommands(new RateLimiter(pacing.perPart(pacing.sourceOpsPerSecond()), pacing.clock()),
                    () -> source.commandsSent() + decide.commandsSent() + values.commandsSent() + chunks.commandsSent());
        }
        copier.copy(cp, store::save, progress);
    }
}
