package io.keyferry.cli.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyferry.api.DataMigration;
import io.keyferry.api.Phase;
import io.keyferry.cli.ExitCodes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kubectl keyferry abort NAME`: asks for spec.phase Aborted (spec.abort: true for a one-shot migration, without a
 * cutover), which undoes the migration from KeyFerry's undo journal. Refused from ReadTarget or TargetOnly (roll back
 * first). A KeyFerry whose CRD has no such phase cannot abort: the command says so, and what to do instead.
 */
@Command(name = "abort", sortOptions = false,
        description = {"Asks for spec.phase Aborted (the target restored from the undo journal), where the installed"
                + " KeyFerry has it; otherwise refuses (exit 9) and says what to do instead."})
final class AbortCommand extends MigrationCommand {
    static final String ABORTED = "Aborted";
    static final String CRD = io.fabric8.kubernetes.api.model.HasMetadata.getFullResourceName(DataMigration.class);

    @Option(names = {"-y", "--yes"}, description = "Abort without asking.")
    boolean yes;

    @Mixin
    OutputOptions output;

    AbortCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        DataMigration dm = migrations().get(name);
        List<String> phases = installedPhases();
        if (!phases.contains(ABORTED)) {
            throw new PluginException(ExitCodes.UNSUPPORTED, "abort needs a KeyFerry version with the undo journal (spec.phase"
                    + " Aborted restores the target's keys as they were); the installed DataMigration CRD allows spec.phase "
                    + String.join(", ", phases) + ". Instead: kubectl keyferry rollback " + name + " until SourceOnly is in"
                    + " force (the application uses only the old store again), then delete the DataMigration; the target keeps"
                    + " what was copied. Nothing was changed");
        }
        Phase inForce = dm.getStatus() == null ? null : dm.getStatus().getPhase();
        if (inForce == Phase.READ_TARGET || inForce == Phase.TARGET_ONLY) {
            throw new PluginException(ExitCodes.REFUSED, Names.of(inForce) + " is in force: the application reads the new"
                    + " store; roll back to DualWrite first (kubectl keyferry rollback " + name + "), then abort. Nothing"
                    + " was changed");
        }
        io.keyferry.api.UndoStatus undo = dm.getStatus() == null ? null : dm.getStatus().getUndo();
        if (undo != null && undo.removedAt() != null) {
            throw new PluginException(ExitCodes.REFUSED, "the undo journal of " + name + " was removed at " + undo.removedAt()
                    + " (spec.undo.retainSeconds after the migration finished): nothing is left to put the target back"
                    + " from. Nothing was changed");
        }
        if (undo != null && Boolean.FALSE.equals(undo.enabled())) {
            throw new PluginException(ExitCodes.REFUSED, name + " keeps no undo journal (status.undo.enabled is false: the"
                    + " target was empty, or spec.undo.enabled is false), so an abort cannot put the target back; roll"
                    + " back to SourceOnly and delete the DataMigration (spec.cleanup: Delete removes KeyFerry's keys)."
                    + " Nothing was changed");
        }
        Confirmation.require(env.terminal(), err(), yes, "aborting " + name + " undoes what KeyFerry wrote to the target",
                "Abort " + name + "?");
        boolean oneShot = dm.getSpec().getCutover() == null;
        migrations().mergePatch(dm, Map.of("spec", oneShot ? Map.of("abort", true) : Map.of("phase", ABORTED)));
        return report(output, new Moves.Result(dm.getMetadata().getNamespace(), name, "abort", Names.of(dm.getSpec().getPhase()),
                ABORTED, true, null, null, (oneShot ? "spec.abort set to true" : "spec.phase set to Aborted")
                + ": the operator stops the workers and restores the target from its undo journal"), ExitCodes.OK);
    }

    /** spec.phase's values in the installed CRD; this build's own when the CRD cannot be read. */
    private List<String> installedPhases() {
        try {
            CustomResourceDefinition crd = migrations().client().apiextensions().v1().customResourceDefinitions().withName(CRD).get();
            List<String> installed = crd == null ? null : crd.getSpec().getVersions().stream()
                    .filter(v -> DataMigration.VERSION.equals(v.getName())).findFirst()
                    .map(AbortCommand::phaseEnum).orElse(null);
            if (installed != null) {
                return installed;
            }
        } catch (KubernetesClientException e) {
            // Reading CRDs is often not allowed to users: this build's own model says the same for its operator.
        }
        return Arrays.stream(Phase.values()).map(Names::of).toList();
    }

    private static List<String> phaseEnum(CustomResourceDefinitionVersion v) {
        JSONSchemaProps spec = v.getSchema() == null ? null : v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        JSONSchemaProps phase = spec == null ? null : spec.getProperties().get("phase");
        return phase == null || phase.getEnum() == null ? null : phase.getEnum().stream().map(JsonNode::asText).toList();
    }
}
