package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.ListBases;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.undo.UndoJournal;
import java.util.Collections;
import java.util.List;

/**
 * The lists a migration merges into (lists under Merge), with their bases ({@link ListBases}) kept in the target under
 * an id (the checkpoint id): a live sync and a repair then bring such a list up to date without appending any source
 * element twice.
 */
final class MergedLists {
    private final String id;
    private ListBases bases;

    MergedLists(String id) {
        this.id = id;
    }

    /** Where the bases are kept; null where lists are not merged. */
    ListBases bases(DataMigrationSpec spec, RedisLink target) {
        if (bases == null && spec.getPolicies().forType(DataType.LIST) == Policy.MERGE) {
            bases = new ListBases(target, id);
        }
        return bases;
    }

    /**
     * Cuts the merged lists among these target keys back to what the target held before the migration appended
     * ({@link ListBases#cutBack}), recorded in the undo journal first where one is kept; returns the keys cut back.
     */
    List<byte[]> cutBack(List<byte[]> keys, DataMigrationSpec spec, RedisLink target, ServerProfile profile,
                         UndoJournal journal) {
        ListBases b = bases(spec, target);
        if (b == null) {
            return List.of();
        }
        return b.cutBack(keys, cut -> {
            if (journal != null) { // durable before the first is cut
                journal.record(cut, Collections.nCopies(cut.size(), DataType.LIST), target.pipe(), profile);
            }
        });
    }
}
