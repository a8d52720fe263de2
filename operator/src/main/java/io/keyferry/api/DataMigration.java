package io.keyferry.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The DataMigration custom resource: what to copy from where to where, and the cutover phase. */
@Group(DataMigration.GROUP)
@Version(DataMigration.VERSION)
@Kind(DataMigration.KIND)
@ShortNames("dm")
public class DataMigration extends CustomResource<DataMigrationSpec, DataMigrationStatus> implements Namespaced {
    public static final String GROUP = "keyferry.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "DataMigration";
    public static final String API_VERSION = GROUP + "/" + VERSION;
}
