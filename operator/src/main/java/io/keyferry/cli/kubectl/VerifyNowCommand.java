package io.keyferry.cli.kubectl;

import io.keyferry.api.DataMigration;
import io.keyferry.cli.ExitCodes;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `kubectl keyferry verify NAME`: asks the operator for a verification now, by an annotation with the time. */
@Command(name = "verify", sortOptions = false,
        description = {"Asks the operator to start a verification now: sets the annotation "
                + VerifyNowCommand.ANNOTATION + " to the current time."})
final class VerifyNowCommand extends MigrationCommand {
    static final String ANNOTATION = "keyferry.io/verify-requested-at";

    @Mixin
    OutputOptions output;

    VerifyNowCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        DataMigration dm = migrations().get(name);
        String at = now().toString();
        migrations().mergePatch(dm, Map.of("metadata", Map.of("annotations", Map.of(ANNOTATION, at))));
        boolean copied = Guards.isTrue(Guards.status(dm), "Copied");
        String warning = copied ? null : "the copy has not finished: the verification runs after it";
        return report(output, new Moves.Result(dm.getMetadata().getNamespace(), name, "verify", null, null, true, null, warning,
                "verification requested at " + at + "; kubectl keyferry watch " + name + " follows it"), ExitCodes.OK);
    }
}
