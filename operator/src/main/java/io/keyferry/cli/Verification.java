package io.keyferry.cli;

import io.keyferry.api.DataMigration;
import io.keyferry.api.VerifyMode;
import io.keyferry.engine.Migration;
import io.keyferry.engine.verify.VerifyResult;
import java.io.PrintWriter;

/** Runs the verify stage the same way for `run` and `verify`. */
final class Verification {
    private Verification() {}

    static VerifyResult run(Migration migration, DataMigration dm, boolean repairFlag, boolean noProgress, PrintWriter err) {
        return run(migration, dm, repairFlag, false, noProgress, err);
    }

    static VerifyResult run(Migration migration, DataMigration dm, boolean repairFlag, boolean extraKeys, boolean noProgress,
                            PrintWriter err) {
        boolean repair = repairFlag || Boolean.TRUE.equals(dm.getSpec().getVerify().getRepair());
        ProgressDisplay progress = ProgressDisplay.create(err, noProgress);
        VerifyResult result = migration.verify(progress, repair, extraKeys);
        progress.finish(true);
        return result;
    }

    static boolean wanted(DataMigration dm) {
        return dm.getSpec().getVerify().getMode() != VerifyMode.OFF;
    }
}
