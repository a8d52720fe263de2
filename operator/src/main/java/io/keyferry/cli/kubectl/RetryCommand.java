package io.keyferry.cli.kubectl;

import io.keyferry.api.DataMigration;
import io.keyferry.api.Stage;
import io.keyferry.cli.ExitCodes;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kubectl keyferry retry NAME`: a new attempt after a failure, by a new spec.retryNonce; the copy resumes. */
@Command(name = "retry", sortOptions = false,
        description = {"Starts a new attempt by setting spec.retryNonce to a new value: new worker Jobs, the copy resuming"
                + " from its checkpoint. Refused unless the stage is Failed (or --force)."})
final class RetryCommand extends MigrationCommand {
    @Option(names = "--force", description = "Retry although the stage is not Failed: running workers are stopped and"
            + " started again.")
    boolean force;

    @Mixin
    OutputOptions output;

    RetryCommand(Environment env) {
        super(env);
    }

    @Override
    public Integer call() {
        DataMigration dm = migrations().get(name);
        Stage stage = Guards.status(dm).getStage();
        if (stage != Stage.FAILED && !force) {
            throw new PluginException(ExitCodes.REFUSED, name + " has not failed (stage " + (stage == null ? "not recorded"
                    : Names.of(stage)) + "): a retry would stop its running workers and start them again. --force does that"
                    + "; nothing was changed");
        }
        String previous = dm.getSpec().getRetryNonce();
        String nonce = now().toString();
        if (nonce.equals(previous)) {
            nonce = nonce + "-2";
        }
        migrations().mergePatch(dm, Map.of("spec", Map.of("retryNonce", nonce)));
        return report(output, new Moves.Result(dm.getMetadata().getNamespace(), name, "retry", null, null, true, null, null,
                "spec.retryNonce set to " + nonce + (previous == null ? "" : " (was " + previous + ")") + ": the operator"
                        + " starts a new attempt; the copy resumes from its checkpoint"), ExitCodes.OK);
    }
}
