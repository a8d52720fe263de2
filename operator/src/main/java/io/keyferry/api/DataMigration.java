package io.keyferry.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The DataMigration custom resource: what to copy from where to where, and the cutover phase. */
@Group(DataMigration.GROUP)
@Version(DataMigration.VERSION)
@Kind(DataMigration.KIND)
@ShortNames("dm")
@Categories("keyferry")
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "STAGE", jsonPath = ".status.stage", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PROGRESS", jsonPath = ".status.progress.percent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "VERIFIED", jsonPath = ".status.conditions[?(@.type==\"Verified\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "LAG", jsonPath = ".status.syncLagSeconds", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "FLAG", jsonPath = ".status.flag", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class DataMigration extends CustomResource<DataMigrationSpec, DataMigrationStatus> implements Namespaced {
    public static final String GROUP = "keyferry.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "DataMigration";
    public static final String API_VERSION = GROUP + "/" + VERSION;
}
