package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.keyferry.api.DataMigration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One look at a migration: the resource, its worker pods and the workers' report ConfigMaps. */
record MigrationSnapshot(DataMigration dm, List<Pod> pods, List<ConfigMap> reports) {
    static MigrationSnapshot take(Migrations migrations, String name) {
        DataMigration dm = migrations.get(name);
        return new MigrationSnapshot(dm, migrations.workerPods(dm), migrations.reports(dm));
    }

    /** The resourceVersions of everything looked at: equal for two snapshots when nothing changed in between. */
    String versions() {
        return Stream.concat(Stream.of((HasMetadata) dm), Stream.concat(pods.stream(), reports.stream()))
                .map(o -> o.getMetadata().getName() + "@" + o.getMetadata().getResourceVersion())
                .collect(Collectors.joining(","));
    }
}
