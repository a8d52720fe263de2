package io.keyferry.worker;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.SecretResolver;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.undo.TargetSegmentStore;
import java.nio.charset.StandardCharsets;

/**
 * Whether a migration's workers keep the undo journal: spec.undo.enabled where it is set; unset, decided once for the
 * whole migration by the first worker that asks, from the target's DBSIZE then (on when it held any key), and kept
 * beside the journal (field {@value TargetSegmentStore#ENABLED} of the hash {@code keyferry:undo:{<uid>}} in the target, or in
 * spec.undo.store), so that every copy worker, shard and resumed pod agrees. Every worker asks before its first write,
 * so the first answer is taken before the migration wrote anything; a key that is not the user's (another migration's
 * flag, say) counts as a key, which errs on the side of keeping the journal.
 */
final class UndoDefault {
    private UndoDefault() {}

    static boolean decide(DataMigrationSpec spec, SecretResolver secrets, String id) {
        return decide(spec, secrets, id, true);
    }

    /**
     * The copy's decision, for a worker that writes after it (a verification's repairs, a live sync): never made
     * here, so a decision of no journal, forgotten once the copy was verified ({@link io.keyferry.engine.StateCleanup#forgetNoJournal}), stays no journal.
     */
    static boolean decided(DataMigrationSpec spec, SecretResolver secrets, String id) {
        return decide(spec, secrets, id, false);
    }

    private static boolean decide(DataMigrationSpec spec, SecretResolver secrets, String id, boolean first) {
        Boolean set = spec.getUndo().getEnabled();
        if (set != null) {
            return set;
        }
        try (Endpoints endpoints = new Endpoints(secrets)) {
            RedisLink target = endpoints.connect(spec.getTarget().getEndpoint(), "spec.target.endpoint", "target");
            RedisLink store = spec.getUndo().getStore() == null ? target
                    : endpoints.connect(spec.getUndo().getStore(), "spec.undo.store", "undo store");
            byte[] meta = TargetSegmentStore.metaKey(id).getBytes(StandardCharsets.UTF_8);
            byte[] field = TargetSegmentStore.ENABLED.getBytes(StandardCharsets.UTF_8);
            byte[] decided = store.call(store.async().hget(meta, field));
            if (decided == null && !first) {
                return false;
            }
            if (decided == null) {
                long keys = target.call(target.async().dbsize());
                store.call(store.async().hsetnx(meta, field, (keys > 0 ? "1" : "0").getBytes(StandardCharsets.UTF_8)));
                decided = store.call(store.async().hget(meta, field));
            }
            return "1".equals(new String(decided, StandardCharsets.UTF_8));
        }
    }
}
