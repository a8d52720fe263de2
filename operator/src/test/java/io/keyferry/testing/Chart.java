package io.keyferry.testing;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;

/** The Helm chart, rendered offline with helm-java. */
public final class Chart {
    public static final Path DIR = Path.of("../charts/keyferry");

    private Chart() {}

    /** `helm template RELEASE ../charts/keyferry -n NAMESPACE --set VALUE...`, parsed; values as with `--set`. */
    public static List<HasMetadata> render(String release, String namespace, String... values) {
        TemplateCommand template = new Helm(DIR).template().withName(release).withNamespace(namespace);
        for (String value : values) {
            String[] kv = value.split("=", 2);
            template = template.set(kv[0], kv[1]);
        }
        List<?> documents = Serialization.unmarshal(template.call());
        return documents.stream().map(HasMetadata.class::cast).toList();
    }
}
