package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.KeyMapping;
import io.keyferry.engine.Migration;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.GuardedCopy;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Brings target keys up to date with the sources after they changed: each key is copied again from every source that
 * selects it, in list order, under the policies (as a one-shot copy would fold them, so a change in an earlier source
 * never overwrites what a later one holds under Overwrite); a key no source holds any more is deleted from the target
 * where its type's policy is Overwrite; a list under Merge is cut back to the target's own elements first. Copying again reads the sources' values now, so applying a change twice, or a
 * change already copied by the backfill, leaves the same target: what makes a follower safe to resume.
 */
final class Resync {
    private final DataMigrationSpec spec;
    private final Migration migration;
    private final KeyMapping mapping;
    private final BatchCopier[] copiers;
    private final List<String> unsupported = new ArrayList<>();

    Resync(DataMigrationSpec spec, Migration migration) {
        this.spec = spec;
        this.migration = migration;
        this.mapping = new KeyMapping(spec);
        this.copiers = new BatchCopier[spec.getSources().size()];
        for (int i = 0; i < copiers.length; i++) {
            copiers[i] = migration.copier(i);
        }
    }

    /** The target name of source {@code i}'s changed key, or null where the source does not select it. */
    byte[] targetKey(int i, byte[] key) {
        return mapping.targetKey(i, key);
    }

    /** Copies these target keys again from every source, in list order; returns what was written. */
    Counters apply(Collection<byte[]> targetKeys) {
        Counters counters = new Counters();
        if (targetKeys.isEmpty()) {
            return counters;
        }
        List<byte[]> keys = List.copyOf(targetKeys);
        migration.cutBackMergedLists(keys); // a merged list: the target's own elements, then each source's again
        for (int j = 0; j < copiers.length; j++) {
            List<BatchCopier.KeyPair> pairs = new ArrayList<>();
            for (byte[] t : keys) {
                byte[] k = mapping.sourceKey(j, t);
                if (k != null) {
                    pairs.add(new BatchCopier.KeyPair(k, t));
                }
            }
            if (!pairs.isEmpty()) {
                counters.addAll(new GuardedCopy(copiers[j]).copy(pairs, d -> { }, unsupported));
            }
        }
        deleteWhereGone(keys);
        return counters;
    }

    /** Deletes target keys no source holds any more, of types whose policy is Overwrite and that a source selects. */
    private void deleteWhereGone(List<byte[]> keys) {
        int[][] exists = new int[copiers.length][keys.size()];
        for (int j = 0; j < copiers.length; j++) {
            Pipe p = migration.source(j).pipe();
            for (int k = 0; k < keys.size(); k++) {
                byte[] sk = mapping.sourceKey(j, keys.get(k));
                exists[j][k] = sk == null ? -1 : p.send(Cmd.EXISTS, sk);
            }
        }
        List<byte[]> gone = new ArrayList<>();
        for (int j = 0; j < copiers.length; j++) {
            List<Object> replies = migration.source(j).pipe().sync();
            for (int k = 0; k < keys.size(); k++) {
                if (exists[j][k] >= 0 && Resp.integer(replies.get(exists[j][k]), migration.source(j).label(), keys.get(k)) > 0) {
                    exists[0][k] = -2; // some source holds it
                }
            }
        }
        for (int k = 0; k < keys.size(); k++) {
            if (exists[0][k] != -2) {
                gone.add(keys.get(k));
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        Pipe target = migration.target().pipe();
        List<Integer> types = gone.stream().map(k -> target.send(Cmd.TYPE, k)).toList();
        List<Object> replies = target.sync();
        List<byte[]> deleting = new ArrayList<>();
        List<DataType> deletingTypes = new ArrayList<>();
        for (int k = 0; k < gone.size(); k++) {
            String type = Resp.typeName(replies.get(types.get(k)), migration.target().label(), gone.get(k));
            DataType t = "none".equals(type) ? null : DataType.fromTypeReply(type);
            if (t != null && spec.getPolicies().forType(t) == Policy.OVERWRITE && selected(t)) {
                deleting.add(gone.get(k));
                deletingTypes.add(t);
            }
        }
        if (deleting.isEmpty()) {
            return;
        }
        if (migration.journal() != null) { // durable before the first delete is sent; their types are known already
            migration.journal().record(deleting, deletingTypes, target, migration.targetProfile());
        }
        deleting.forEach(k -> target.send(Cmd.UNLINK, k));
        target.sync();
    }

    private boolean selected(DataType type) {
        for (SourceSpec s : spec.getSources()) {
            Set<DataType> types = s.getKeys() == null || s.getKeys().getTypes() == null ? null : Set.copyOf(s.getKeys().getTypes());
            if (types == null || types.isEmpty() || types.contains(type)) {
                return true;
            }
        }
        return false;
    }

    List<String> unsupported() {
        return unsupported;
    }
}
