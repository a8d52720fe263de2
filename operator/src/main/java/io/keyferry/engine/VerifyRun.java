package io.keyferry.engine;

import io.keyferry.api.DataType;
import io.keyferry.api.VerifySpec;
import io.keyferry.engine.copy.Action;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.GuardedCopy;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.verify.Verifier;
import io.keyferry.engine.verify.VerifyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A prepared migration's target verified against its sources ({@link Verifier}), over the migration's connections and
 * more of its own for the checkers that work beside them; a repair copies keys again with the migration's copiers, so
 * it is journaled where the migration keeps the undo journal, and so are the deletes of extra keys.
 */
final class VerifyRun {
    private final Migration migration;

    VerifyRun(Migration migration) {
        this.migration = migration;
    }

    VerifyResult run(ProgressListener listener, boolean repair, boolean extraKeys, VerifySpec how) {
        Verifier verifier = new Verifier(migration.spec().getSources(), migration.sourceLinks(), migration.sourceProfiles(),
                migration.target(), migration.targetProfile(), migration.spec().getPolicies(), how,
                migration.spec().getWorker().getBatchSize(), this::openConnections);
        if (extraKeys) {
            verifier.checkingExtraKeys(migration.journal());
        } else if (SnapshotBackfill.verifiesFromSnapshot(migration.spec(), how, migration.sourceProfiles(), migration.targetProfile())) {
            io.keyferry.api.SourceSpec s = migration.spec().getSources().get(0);
            verifier.fromSnapshot(new io.keyferry.engine.verify.SnapshotCheck(0, new KeyMapping(migration.spec()),
                    CopyStart.typeFilter(s.getKeys()), io.keyferry.api.EndpointUri.parse(s.getEndpoint().getUri()).db(),
                    how.getTtlToleranceMs(), migration.spec().getWorker().getBatchSize(), migration.source(0).shards().stream()
                    .map(shard -> (java.util.function.Supplier<io.keyferry.engine.redis.RespConnection>) () -> migration.openRawSource(0, shard.node()))
                    .toList(), migration::connectTarget));
        }
        return verifier.verify(listener, repair ? this::repair : null, migration.estimatedKeys());
    }

    /** Another connection to every endpoint, for a checker that works beside the others. */
    private Verifier.KeyConnections openConnections() {
        List<RedisLink> more = new ArrayList<>();
        for (int i = 0; i < migration.spec().getSources().size(); i++) {
            more.add(migration.connectSource(i));
        }
        return new Verifier.KeyConnections(more, migration.connectTarget());
    }

    /**
     * Copies keys again under the policy, every source that writes them in list order, each guarded against the
     * application's writes ({@link GuardedCopy}). A list under Merge is first cut back to the target's own elements
     * where its base is known ({@link io.keyferry.engine.copy.ListBases}); where not, it is left alone: appending it
     * again would duplicate its elements.
     *
     * @return the keys an application write raced: not repaired, to be looked at again
     */
    private List<Verifier.KeyRef> repair(List<Verifier.KeyRef> keys) {
        List<String> ignored = new ArrayList<>();
        List<Verifier.KeyRef> raced = new ArrayList<>();
        Set<java.nio.ByteBuffer> cut = new java.util.HashSet<>();
        migration.cutBackMergedLists(keys.stream().map(Verifier.KeyRef::targetKey).toList())
                .forEach(k -> cut.add(java.nio.ByteBuffer.wrap(k)));
        for (Verifier.KeyRef ref : keys) {
            boolean rebuilt = cut.contains(java.nio.ByteBuffer.wrap(ref.targetKey()));
            for (Verifier.Member m : ref.members()) {
                if (new GuardedCopy(migration.copier(m.source())).copyKey(new BatchCopier.KeyPair(m.key(), ref.targetKey()),
                        d -> rebuilt || !(d.type() == DataType.LIST && d.action() == Action.MERGE), ignored) == null) {
                    raced.add(ref);
                    break; // the rest of its chain waits for the next look too
                }
            }
        }
        return raced;
    }
}
