package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
/** One key of a Kubernetes Secret (locally: the file DIR/name/key of a mounted Secret volume). */
public class SecretKeyRef {
    @JsonPropertyDescription("Name of the Secret, in the DataMigration's namespace.")
    @Required
    private String name;
    @JsonPropertyDescription("Key in that Secret.")
    @Required
    private String key;

    public SecretKeyRef() {}
    public SecretKeyRef(String name, String key) { this.name = name; this.key = key; }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }

    @Override
    public String toString() { return name + "/" + key; }
}
