package io.keyferry.engine.sync;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.KeySelector;
import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.SyncMode;
import io.keyferry.api.TargetSpec;
import io.keyferry.api.TypeMismatchPolicy;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.checkpoint.Checkpoint;
import java.util.List;

/**
 * The migration turned around for a reverse sync (spec.cutover.reverseSync): the target becomes the one source, named
 * {@value #NAME}, and the first source becomes the target, with every type under Overwrite (a type mismatch too), so
 * that what the application changed in the new store alone since TargetOnly (writes, deletes, expiries) reaches the old
 * one. Only the first source's key range is followed back: its {@code keys.match} and {@code keys.types}. A renamed key
 * range ({@code keys.addPrefix}) is refused: renaming back is not built. No undo journal is kept in the old store.
 * The reverse follow position is kept where the reverse writes go (the first source), as
 * {@code keyferry:checkpoint:{<uid>:reverse:follow}}, so the follow of the target never sees its own position writes.
 */
public final class ReverseSpec {
    /** The name the target has as the reverse sync's source; its position key is named after it. */
    public static final String NAME = "reverse";

    private ReverseSpec() {}

    /** Why this spec cannot be followed back (field: problem), or null when it can. */
    public static String problem(DataMigrationSpec spec) {
        if (spec.getSources().isEmpty()) {
            return "spec.sources: no source to sync back into";
        }
        String why = io.keyferry.api.SpecValidator.reverseSyncProblem(spec);
        return why == null ? null : "spec.cutover.reverseSync: " + why;
    }

    /** The reversed spec: target -> first source, Overwrite; throws (naming the field) where {@link #problem} says. */
    public static DataMigrationSpec of(DataMigrationSpec spec) {
        String problem = problem(spec);
        if (problem != null) {
            throw new MigrationInputException(problem);
        }
        DataMigrationSpec r = Checkpoint.JSON.convertValue(spec, DataMigrationSpec.class);
        SourceSpec first = r.getSources().get(0);
        SourceSpec from = new SourceSpec();
        from.setName(NAME);
        from.setEndpoint(r.getTarget().getEndpoint());
        KeySelector keys = new KeySelector();
        if (first.getKeys() != null) {
            keys.setMatch(first.getKeys().getMatch());
            keys.setTypes(first.getKeys().getTypes());
        }
        from.setKeys(keys);
        from.leaveStateKeysOut();
        TargetSpec to = new TargetSpec();
        to.setEndpoint(first.getEndpoint());
        r.setSources(List.of(from));
        r.setTarget(to);
        PolicySpec policies = new PolicySpec();
        policies.setDefaultPolicy(Policy.OVERWRITE);
        policies.setTypeMismatch(TypeMismatchPolicy.OVERWRITE);
        r.setPolicies(policies);
        r.getUndo().setEnabled(false);
        r.getSync().setMode(SyncMode.CONTINUOUS);
        return r;
    }
}
