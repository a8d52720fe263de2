package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.keyferry.testing.HostileText;
import io.keyferry.testing.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the quick binding binds, it binds as Jackson does (compared as JSON), and whatever it is unsure of it leaves
 * to Jackson: the examples and the manifest of every field are bound without Jackson's binding.
 */
class QuickBindingTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theExamplesAndTheManifestOfEveryFieldAreBoundQuicklyAsJacksonBindsThem() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("src/test/resources/manifests/valid/full.yaml")));
        try (Stream<Path> examples = Files.list(Path.of("../examples"))) {
            examples.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
        }
        for (Path file : files) {
            ObjectNode manifest = (ObjectNode) YAML.readTree(file.toFile());
            DataMigration quick = QuickBinding.manifest(manifest);
            assertNotNull(quick, file + " is bound quickly");
            assertEquals(JSON.valueToTree(ManifestLoader.bindByJackson(manifest)), JSON.valueToTree(quick), file.toString());
        }
    }

    @Test
    void whatItIsUnsureOfIsLeftToJackson() throws IOException {
        String header = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: m}\nspec:\n";
        for (String spec : List.of(
                "  worker: {resources: {limits: 5}}",             // a Kubernetes type, wrong
                "  worker: {btachSize: ~}",                        // unknown, even without a value
                "  worker: {batchSize: \"500\"}",                  // a string where a number goes: Jackson says so
                "  worker: {batchSize: 1.5}",
                "  worker: {batchSize: 5000000000}",
                "  worker: {btachSize: 500}",                      // unknown
                "  sources: [~]",                                  // null in a list
                "  verify: {mode: Everything}",                    // not a mode
                "  verify: {mode: Off}")) {                        // YAML's false
            assertNull(QuickBinding.manifest((ObjectNode) YAML.readTree(header + spec)), spec);
        }
        assertNull(QuickBinding.manifest((ObjectNode) YAML.readTree(header.replace("{name: m}", "{name: m, uid: x}"))));
    }

    /** Seeded variants of the manifest of every field, as ManifestPropertiesTest makes them. */
    @Test
    void anyVariantBoundQuicklyIsBoundSoByJackson() throws IOException {
        long seed = Seeds.seed("QuickBindingTest");
        HostileText variants = new HostileText(new Random(seed),
                Files.readString(Path.of("src/test/resources/manifests/valid/full.yaml")), false);
        int quick = 0;
        for (int i = 0; i < 800; i++) {
            String text = variants.next();
            JsonNode tree;
            try {
                tree = YAML.readTree(text);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (!(tree instanceof ObjectNode manifest) || manifest.has("status")) {
                continue;
            }
            DataMigration bound = QuickBinding.manifest(manifest);
            if (bound == null) {
                continue;
            }
            quick++;
            try {
                assertEquals(JSON.valueToTree(ManifestLoader.bindByJackson(manifest)), JSON.valueToTree(bound),
                        "seed " + seed + ", case " + i + ":\n" + text);
            } catch (InvalidManifestException e) {
                fail("seed " + seed + ", case " + i + ": bound quickly, refused by Jackson: " + e.getErrors() + "\n" + text);
            }
        }
        assertEquals(true, quick > 0, "some variants were bound quickly");
    }
}
