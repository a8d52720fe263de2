package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crds/ is the one the Fabric8 generator makes from the api classes at build time, with its
 * printer columns put in the order `kubectl get dm` shows them (the generator sorts them by JSON path), and
 * the lists that are maps keyed by a field of their items marked so, which the generator cannot express
 * (fabric8io/kubernetes-client#6669): {@link #LIST_MAPS}.
 * After changing the api classes: mvn -B test -Dtest=CrdTest -Dkeyferry.updateCrd=true
 */
class CrdTest {
    static final Path GENERATED = Path.of("target/classes/META-INF/fabric8/datamigrations.keyferry.io-v1.yml");
    static final Path CHECKED_IN = Path.of("../crds/datamigrations.keyferry.io-v1.yml");
    private static final List<String> COLUMNS = List.of("READY", "PHASE", "STAGE", "PROGRESS", "VERIFIED", "LAG", "FLAG", "AGE");
    /**
     * Lists whose items are told apart by a key field, not by their place (x-kubernetes-list-type: map): the
     * API server refuses two items with the same key, and server-side apply merges them item by item. A key
     * must be required.
     */
    private static final Map<String, String> LIST_MAPS = Map.of(
            "/properties/spec/properties/sources", "name",
            "/properties/status/properties/sources", "name",
            "/properties/status/properties/conditions", "type");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Test
    void checkedInCrdIsTheGeneratedOne() throws IOException {
        String expected = "# Generated from the io.keyferry.api classes by the Fabric8 CRD generator (see CrdTest).\n"
                + YAML.writeValueAsString(laidOut(YAML.readTree(GENERATED.toFile())));
        if (Boolean.getBoolean("keyferry.updateCrd")) {
            Files.createDirectories(CHECKED_IN.getParent());
            Files.writeString(CHECKED_IN, expected);
            // The chart carries the same file (ChartTest compares them byte for byte).
            Files.writeString(Path.of("../charts/keyferry/crds").resolve(CHECKED_IN.getFileName()), expected);
        }
        assertEquals(expected, Files.exists(CHECKED_IN) ? Files.readString(CHECKED_IN) : "",
                "crds/ is stale; run: mvn -B test -Dtest=CrdTest -Dkeyferry.updateCrd=true");
    }

    @Test
    void describesTheResourceAsKubectlShowsIt() throws IOException {
        JsonNode crd = YAML.readTree(CHECKED_IN.toFile());
        JsonNode version = crd.at("/spec/versions/0");
        assertEquals("dm", crd.at("/spec/names/shortNames/0").asText());
        assertEquals("keyferry", crd.at("/spec/names/categories/0").asText());
        assertTrue(version.at("/subresources/status").isObject(), "status subresource");
        List<String> columns = new ArrayList<>();
        version.get("additionalPrinterColumns").forEach(c -> columns.add(c.get("name").asText()));
        assertEquals(COLUMNS, columns);
        assertEquals(".status.conditions[?(@.type==\"Ready\")].status", version.at("/additionalPrinterColumns/0/jsonPath").asText());
    }

    @Test
    void conditionsAreAListMapKeyedByTypeAndSourcesByName() throws IOException {
        JsonNode schema = YAML.readTree(CHECKED_IN.toFile()).at("/spec/versions/0/schema/openAPIV3Schema");
        for (String path : List.of("spec/properties/sources", "status/properties/sources", "status/properties/conditions")) {
            JsonNode list = schema.at("/properties/" + path);
            String key = path.endsWith("conditions") ? "type" : "name";
            assertEquals("map", list.path("x-kubernetes-list-type").asText(), path);
            assertEquals("[\"" + key + "\"]", list.path("x-kubernetes-list-map-keys").toString(), path);
            assertTrue(list.at("/items/required").toString().contains("\"" + key + "\""), path + ": a list map's key is required");
        }
    }

    /**
     * The schema declares a default for every field the model (the api classes) gives a value when the manifest
     * leaves it out, the same value, and for no other: the API server shows what KeyFerry will use, and a spec
     * reads the same to the operator whether the API server filled the defaults in or not.
     */
    @Test
    void schemaDefaultsAreTheModelsDefaults() throws IOException {
        JsonNode spec = YAML.readTree(CHECKED_IN.toFile()).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        Map<String, String> declared = new TreeMap<>();
        scalarDefaults("spec", spec, declared);
        ObjectMapper json = new ObjectMapper();
        JsonNode model = json.valueToTree(json.treeToValue(everyObjectEmpty(spec), DataMigrationSpec.class));
        Map<String, String> modelled = new TreeMap<>();
        scalarValues("spec", model, modelled);
        assertEquals(modelled, declared);
    }

    private static void scalarDefaults(String path, JsonNode schema, Map<String, String> out) {
        if (schema.has("default") && schema.get("default").isValueNode()) {
            out.put(path, schema.get("default").asText());
        }
        schema.path("properties").properties().forEach(p -> scalarDefaults(path + "." + p.getKey(), p.getValue(), out));
        if (schema.has("items")) {
            scalarDefaults(path + "[]", schema.get("items"), out);
        }
    }

    /** A value for the schema with every object in it present and empty, and every list holding one such item. */
    private static JsonNode everyObjectEmpty(JsonNode schema) {
        ObjectNode object = new ObjectMapper().createObjectNode();
        schema.path("properties").properties().forEach(p -> {
            JsonNode property = p.getValue();
            if (property.path("type").asText().equals("object") && property.has("properties")) {
                object.set(p.getKey(), everyObjectEmpty(property));
            } else if (property.path("items").has("properties")) {
                object.putArray(p.getKey()).add(everyObjectEmpty(property.get("items")));
            }
        });
        return object;
    }

    private static void scalarValues(String path, JsonNode value, Map<String, String> out) {
        if (value.isValueNode() && !value.isNull()) {
            out.put(path, value.asText());
        }
        value.properties().forEach(p -> scalarValues(path + "." + p.getKey(), p.getValue(), out));
        if (value.isArray()) {
            value.forEach(item -> scalarValues(path + "[]", item, out));
        }
    }

    @Test
    void schemaSaysWhatASchemaCan() throws IOException {
        JsonNode spec = YAML.readTree(CHECKED_IN.toFile()).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        assertEquals(1, spec.at("/properties/sources/minItems").asInt());
        assertEquals("[\"sources\",\"target\"]", spec.get("required").toString());
        assertEquals("[\"Overwrite\",\"Merge\",\"Fill\",\"Skip\"]",
                sorted(spec.at("/properties/policies/properties/hash/enum"), List.of("Overwrite", "Merge", "Fill", "Skip")));
        assertEquals(1, spec.at("/properties/worker/properties/batchSize/minimum").asInt());
        assertEquals(0, spec.at("/properties/worker/properties/rateLimit/properties/keysPerSecond/minimum").asInt());
        assertEquals("has(self.phase) == has(self.cutover)", spec.at("/x-kubernetes-validations/0/rule").asText());
    }

    private static String sorted(JsonNode values, List<String> order) {
        List<String> got = new ArrayList<>();
        values.forEach(v -> got.add(v.asText()));
        got.sort((a, b) -> order.indexOf(a) - order.indexOf(b));
        return new ObjectMapper().valueToTree(got).toString();
    }

    /** The generated CRD with its printer columns in the documented order, and its list maps marked. */
    private static JsonNode laidOut(JsonNode crd) {
        ArrayNode columns = (ArrayNode) crd.at("/spec/versions/0/additionalPrinterColumns");
        List<JsonNode> ordered = new ArrayList<>();
        columns.forEach(ordered::add);
        ordered.sort((a, b) -> COLUMNS.indexOf(a.get("name").asText()) - COLUMNS.indexOf(b.get("name").asText()));
        ((ObjectNode) crd.at("/spec/versions/0")).putArray("additionalPrinterColumns").addAll(ordered);
        LIST_MAPS.forEach((path, key) -> {
            ObjectNode list = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema" + path);
            list.put("x-kubernetes-list-type", "map");
            list.putArray("x-kubernetes-list-map-keys").add(key);
            ObjectNode items = (ObjectNode) list.get("items");
            TreeSet<String> required = new TreeSet<>(List.of(key));
            items.path("required").forEach(r -> required.add(r.asText()));
            items.putArray("required").addAll(required.stream().map(TextNode::valueOf).toList());
        });
        return crd;
    }
}
