package io.keyferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checked-in DataMigration CRD (crds/, kept equal to the generated one by CrdTest), read as a
 * tree for tests that hold other files to it: the examples, the reference documentation.
 */
public final class CrdSchema {
    public static final Path CHECKED_IN = Path.of("../crds/datamigrations.keyferry.io-v1.yml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String CEL = "x-kubernetes-validations";

    /**
     * One property of spec or status: its path, type, the constraints the schema puts on it, its description, and
     * its default when that is a single value ("" when it has none, or an object).
     */
    public record Field(String path, String type, String constraints, String description, String defaultValue) {}

    /** A CEL rule and the field it is declared on ("" for the whole resource). */
    public record CelRule(String path, String rule, String message) {}

    private CrdSchema() {}

    /** The CRD's only version, v1alpha1: schema, printer columns, subresources. */
    public static JsonNode version() {
        try {
            return YAML.readTree(CHECKED_IN.toFile()).at("/spec/versions/0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode openApiV3Schema() {
        return version().at("/schema/openAPIV3Schema");
    }

    /**
     * Every property under spec and status, parents before children. A property of the items of an
     * array is named with {@code []} ({@code spec.sources[].name}). The paths in {@code opaque} are
     * listed but not descended into (standard Kubernetes types, whose fields Kubernetes documents).
     */
    public static List<Field> fields(Set<String> opaque) {
        List<Field> fields = new ArrayList<>();
        JsonNode root = openApiV3Schema();
        for (String top : List.of("spec", "status")) {
            addProperties(top, root.at("/properties/" + top), opaque, fields);
        }
        return fields;
    }

    /** Every CEL rule ({@code x-kubernetes-validations}) in the schema, outermost first. */
    public static List<CelRule> celRules() {
        List<CelRule> rules = new ArrayList<>();
        addCelRules("", openApiV3Schema(), rules);
        return rules;
    }

    private static void addProperties(String parent, JsonNode object, Set<String> opaque, List<Field> out) {
        Set<String> required = new HashSet<>();
        object.path("required").forEach(r -> required.add(r.asText()));
        object.path("properties").properties().forEach(property -> {
            String path = parent + "." + property.getKey();
            JsonNode schema = property.getValue();
            out.add(new Field(path, typeOf(schema), constraints(schema, required.contains(property.getKey())),
                    schema.path("description").asText(), schema.path("default").isValueNode() ? schema.get("default").asText() : ""));
            if (opaque.contains(path)) {
                return;
            }
            boolean array = schema.has("items");
            addProperties(array ? path + "[]" : path, array ? schema.get("items") : schema, opaque, out);
        });
    }

    private static void addCelRules(String path, JsonNode schema, List<CelRule> out) {
        schema.path(CEL).forEach(r -> out.add(new CelRule(path, r.path("rule").asText(), r.path("message").asText())));
        schema.path("properties").properties().forEach(property -> addCelRules(
                (path.isEmpty() ? "" : path + ".") + property.getKey(), property.getValue(), out));
        if (schema.path("items").isObject()) {
            addCelRules(path + "[]", schema.get("items"), out);
        }
    }

    /** {@code string}, {@code integer}, {@code object}, ...; an array is {@code []} and its items' type. */
    private static String typeOf(JsonNode schema) {
        return schema.has("items") ? "[]" + typeOf(schema.get("items")) : schema.path("type").asText();
    }

    /** The schema's constraints on one property, as the reference documentation spells them. */
    private static String constraints(JsonNode schema, boolean required) {
        List<String> parts = new ArrayList<>();
        if (required) {
            parts.add("required");
        }
        if (schema.has("enum")) {
            parts.add("one of " + backticked(schema.get("enum")));
        }
        if (schema.path("items").has("enum")) {
            parts.add("each one of " + backticked(schema.at("/items/enum")));
        }
        for (String keyword : List.of("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")) {
            if (schema.has(keyword)) {
                boolean exclusive = schema.path("exclusive" + Character.toUpperCase(keyword.charAt(0)) + keyword.substring(1))
                        .asBoolean(false);
                parts.add(keyword + " " + number(schema.get(keyword)) + (exclusive ? " (exclusive)" : ""));
            }
        }
        if (schema.has("pattern")) {
            parts.add("pattern `" + schema.get("pattern").asText() + "`");
        }
        if (schema.has("x-kubernetes-list-map-keys")) {
            parts.add("list map keyed by " + backticked(schema.get("x-kubernetes-list-map-keys")));
        }
        return parts.isEmpty() ? "—" : String.join("; ", parts);
    }

    private static String backticked(JsonNode values) {
        List<String> quoted = new ArrayList<>();
        values.forEach(v -> quoted.add("`" + v.asText() + "`"));
        return String.join(", ", quoted);
    }

    /** 1.0 as 1: the generator writes every bound as a decimal. */
    private static String number(JsonNode n) {
        double d = n.asDouble();
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
