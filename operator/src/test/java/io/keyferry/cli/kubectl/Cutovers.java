package io.keyferry.cli.kubectl;

import static io.keyferry.cli.kubectl.Fixtures.condition;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyferry.api.DataMigration;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.Phase;
import io.keyferry.api.Stage;
import java.util.ArrayList;
import java.util.List;

/** Cutover migrations put into the API server with a phase in force and the evidence the guards look at. */
final class Cutovers {
    private Cutovers() {}

    /**
     * @param copied     the Copied condition
     * @param differing  keys that differed in the last verification round, or -1 for no finished round
     */
    static DataMigration put(KubernetesClient client, String name, Phase inForce, Phase desired, boolean copied, long differing) {
        DataMigration dm = Fixtures.migration(name, desired, 1);
        Phase[] walk = java.util.Arrays.copyOfRange(Phase.values(), 0, inForce.ordinal() + 1);
        DataMigrationStatus st = Fixtures.status(differing == 0 ? Stage.VERIFIED : copied ? Stage.VERIFYING : Stage.COPYING, inForce);
        st.setRollback(Fixtures.history(walk));
        String since = "2026-12-06T09:50:00Z";
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>();
        conditions.add(condition("Copied", copied, copied ? "CopyFinished" : "InProgress", "", since));
        if (differing < 0) {
            conditions.add(condition("Verified", false, "NotYet", "no verification has finished", since));
        } else {
            st.setVerification(Fixtures.verification(1, 1000, differing, 0));
            conditions.add(condition("Verified", differing == 0, differing == 0 ? "Clean" : "Mismatches", "", since));
        }
        if (!copied) {
            st.setProgress(Fixtures.progress(42.5, 4250, 100, 57L));
        }
        st.setConditions(conditions);
        dm.setStatus(st);
        return Fixtures.put(client, dm);
    }

    static DataMigration get(KubernetesClient client, String name) {
        return client.resources(DataMigration.class).inNamespace(Fixtures.NS).withName(name).get();
    }
}
