package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crds/ is the one the Fabric8 generator makes from the api classes at build time, with its
 * printer columns put in the order `kubectl get dm` shows them (the generator sorts them by JSON path).
 * After changing the api classes: mvn -B test -Dtest=CrdTest -Dkeyferry.updateCrd=true
 */
class CrdTest {
    static final Path GENERATED = Path.of("target/classes/META-INF/fabric8/datamigrations.keyferry.io-v1.yml");
    static final Path CHECKED_IN = Path.of("../crds/datamigrations.keyferry.io-v1.yml");
    private static final List<String> COLUMNS = List.of("PHASE", "STAGE", "PROGRESS", "VERIFIED", "FLAG", "AGE");
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

    /** The generated CRD with its printer columns in the documented order. */
    private static JsonNode laidOut(JsonNode crd) {
        ArrayNode columns = (ArrayNode) crd.at("/spec/versions/0/additionalPrinterColumns");
        List<JsonNode> ordered = new ArrayList<>();
        columns.forEach(ordered::add);
        ordered.sort((a, b) -> COLUMNS.indexOf(a.get("name").asText()) - COLUMNS.indexOf(b.get("name").asText()));
        ((ObjectNode) crd.at("/spec/versions/0")).putArray("additionalPrinterColumns").addAll(ordered);
        return crd;
    }
}
