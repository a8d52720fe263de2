package io.keyferry.cli.kubectl;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import io.keyferry.cutover.PhaseLadder;
import java.util.Map;

/** What advance and rollback share: the phase a move starts from, the one-field patch, and the result they print. */
final class Moves {
    private Moves() {}

    /**
     * What a command did to a migration, for people (text) and scripts (-o json|yaml).
     *
     * @param changed   whether the resource was changed
     * @param blockedBy the guard that blocks the move, if one does
     * @param warning   what the user must know about the move
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(String namespace, String name, String action, String from, String to, boolean changed,
                  Guards.Verdict blockedBy, String warning, String message) {
        static Result of(DataMigration dm, String action, Phase from, Phase to, boolean changed, Guards.Verdict blockedBy,
                         String warning, String message) {
            return new Result(dm.getMetadata().getNamespace(), dm.getMetadata().getName(), action, Names.of(from),
                    Names.of(to), changed, blockedBy, warning, message);
        }
    }

    /** The phase in force, which a move goes one rung from; refused for a one-shot migration or before the first flag. */
    static Phase inForce(DataMigration dm, String action) {
        String name = dm.getMetadata().getName();
        if (dm.getSpec().getCutover() == null) {
            throw new PluginException(ExitCodes.REFUSED, name + " is a one-shot migration (no spec.cutover): it has no"
                    + " phases to " + action + "; nothing was changed");
        }
        Phase inForce = Guards.status(dm).getPhase();
        if (inForce == null) {
            throw new PluginException(ExitCodes.REFUSED, "no phase of " + name + " is in force yet (the operator writes"
                    + " SourceOnly's flag first): wait for it (kubectl keyferry status " + name + "); nothing was changed");
        }
        return inForce;
    }

    /** spec.phase asks for another move than this one, still under way: one move at a time. */
    static PluginException moveInProgress(DataMigration dm, Phase inForce) {
        String name = dm.getMetadata().getName();
        String desired = Names.of(dm.getSpec().getPhase());
        return new PluginException(ExitCodes.REFUSED, "spec.phase of " + name + " asks for " + desired + " while "
                + Names.of(inForce) + " is in force: that move is under way (kubectl keyferry status " + name + " says what"
                + " it waits for); run this again once " + desired + " is in force, or set spec.phase back to "
                + Names.of(inForce) + "; nothing was changed");
    }

    /** Sets spec.phase, and nothing else, on the resource as it was seen. */
    static void request(Migrations migrations, DataMigration seen, Phase to) {
        migrations.mergePatch(seen, Map.of("spec", Map.of("phase", Names.of(to))));
    }

    /** What the operator writes once the phase is in force. */
    static String flagOf(Phase phase) {
        return PhaseLadder.flag(phase);
    }
}
