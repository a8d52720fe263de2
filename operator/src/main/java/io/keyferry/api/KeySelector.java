package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

public class KeySelector {
    @JsonPropertyDescription("Glob of the keys to migrate (SCAN MATCH syntax); all keys when empty.")
    @Size(min = 1)
    private String match;
    @JsonPropertyDescription("Only keys of these types; all types when empty.")
    private List<DataType> types;
    @JsonPropertyDescription("Prefix added to every key name in the target, to keep sources apart.")
    private String addPrefix;

    public String getMatch() { return match; }
    public void setMatch(String match) { this.match = match; }
    public List<DataType> getTypes() { return types; }
    public void setTypes(List<DataType> types) { this.types = types; }
    public String getAddPrefix() { return addPrefix; }
    public void setAddPrefix(String addPrefix) { this.addPrefix = addPrefix; }
}
