package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.KeySelector;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.CheckpointStore;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a copy starts from and how its plan reads: the saved checkpoint of this version of the migration (its sources,
 * target and policies: another version is refused, or started over where asked), and the plan's words for the
 * policies and key selections.
 */
final class CopyStart {
    private CopyStart() {}

    /** The saved checkpoint, or a new one; one of another version of the spec is refused, or dropped if {@code restart}. */
    static Checkpoint loadOrStart(CheckpointStore store, String name, DataMigrationSpec spec, boolean restart) {
        String fingerprint = io.keyferry.api.SpecDigest.of(copyParts(spec));
        Checkpoint cp = store.load().orElse(null);
        if (cp != null && io.keyferry.api.SpecDigest.legacy(copyParts(spec)).equals(cp.fingerprint)) {
            cp.fingerprint = fingerprint; // saved by the version before the canonical digest: the same copy
        }
        if (cp != null && !fingerprint.equals(cp.fingerprint) && restart) {
            cp = null;
        }
        if (cp != null && !fingerprint.equals(cp.fingerprint)) {
            throw new MigrationInputException("the saved state belongs to another version of this migration (its "
                    + "sources, target or policies changed); rerun with --restart to copy from the beginning, "
                    + "or use another --state-dir");
        }
        if (cp == null) {
            cp = new Checkpoint();
            cp.migration = name;
            cp.fingerprint = fingerprint;
            cp.startedAt = Instant.now().toString();
            for (SourceSpec s : spec.getSources()) {
                Checkpoint.SourceState st = new Checkpoint.SourceState();
                st.name = s.getName();
                cp.sources.add(st);
            }
        }
        return cp;
    }

    static String resumeNote(Checkpoint checkpoint) {
        if (checkpoint.finished()) {
            return "finished at " + checkpoint.finishedAt + "; nothing to copy (use --restart to copy again)";
        }
        long scanned = checkpoint.sources.stream().mapToLong(s -> s.keysScanned).sum();
        return scanned == 0 && checkpoint.inflight == null ? "new copy"
                : "resuming after " + scanned + " scanned keys (started " + checkpoint.startedAt + ")";
    }

    /** What a checkpoint belongs to: the sources, the target and the policies. */
    private static Map<String, Object> copyParts(DataMigrationSpec spec) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("sources", spec.getSources());
        identity.put("target", spec.getTarget());
        identity.put("policies", spec.getPolicies());
        return identity;
    }

    static String describePolicies(DataMigrationSpec spec) {
        StringBuilder sb = new StringBuilder();
        for (DataType t : DataType.values()) {
            sb.append(t.wireName()).append('=').append(spec.getPolicies().forType(t).manifestName()).append(' ');
        }
        return sb.append("typeMismatch=").append(spec.getPolicies().getTypeMismatch().manifestName()).toString();
    }

    static String describeKeys(KeySelector keys) {
        String match = keys.getMatch() == null ? "all keys" : "keys matching " + keys.getMatch();
        String types = keys.getTypes() == null || keys.getTypes().isEmpty() ? "" : ", types " + keys.getTypes().stream()
                .map(DataType::wireName).toList();
        String prefix = keys.getAddPrefix() == null || keys.getAddPrefix().isEmpty() ? ""
                : ", prefixed with '" + keys.getAddPrefix() + "'";
        return match + types + prefix;
    }

    static Set<DataType> typeFilter(KeySelector keys) {
        return keys.getTypes() == null || keys.getTypes().isEmpty() ? null : EnumSet.copyOf(keys.getTypes());
    }
}
