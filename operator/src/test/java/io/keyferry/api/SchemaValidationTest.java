package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import io.keyferry.testing.CrdSchema;
import io.keyferry.testing.CrdSchema.CelRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every example is valid against the CRD's OpenAPI v3 schema ({@code spec.versions[0].schema.openAPIV3Schema}
 * in crds/), the check the API server makes on {@code kubectl apply}. The manifests under schema/invalid/
 * prove that the check is real: each breaks one rule and must be refused for that field alone, named in its
 * first line ({@code # expect: <path> (<keyword>)}).
 *
 * <p>What the API server does with this schema and this test does not:
 * <ul>
 *   <li>Fields the schema does not declare are pruned: dropped with a warning, or refused when the client asks
 *   for strict field validation (kubectl's default). Here they pass unnoticed; ManifestLoader refuses them.
 *   <li>CEL rules ({@code x-kubernetes-validations}) are not evaluated: JSON Schema has no CEL. That
 *   spec.phase and spec.cutover go together is checked by SpecValidator too. (That sources and target cannot
 *   change once copying started is the operator's check, status.copyIdentity: a CEL rule comparing whole
 *   lists risks a cost estimate the API server refuses, which could not be tried here.)
 *   {@link #celRulesStayInTheCrd()} only proves the rules are still in the CRD.
 *   <li>A null in a field without {@code nullable: true} is pruned; here it is refused.
 * </ul>
 */
class SchemaValidationTest {
    private static final Path INVALID = Path.of("src/test/resources/schema/invalid");
    private static final Pattern EXPECT = Pattern.compile("# expect: (\\S+ \\(\\w+\\))");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /**
     * The validator reads Jackson 3 trees. YAML is read as the rest of the project reads it, with Jackson 2 (Jackson
     * 3's YAML module is built for snakeyaml-engine 3; the build pins 2.10), and handed over as JSON.
     */
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry STRUCTURAL_SCHEMAS = SchemaRegistry.withDefaultDialect(structuralSchemaDialect());
    private static final Schema CRD = structuralSchema(JSON.readTree(CrdSchema.openApiV3Schema().toString()));

    /**
     * A Kubernetes structural schema is an OpenAPI 3.0 schema object, so the OpenAPI 3.0 dialect is the base.
     * The x-kubernetes-* extensions are declared as keywords that do not validate, each for a reason:
     * preserve-unknown-fields and embedded-resource steer pruning, which is not done here; int-or-string is
     * spelled out by the {@code anyOf} the generator writes next to it; list-type, list-map-keys and map-type
     * steer merges (and the uniqueness of set and map lists, not checked here); validations are CEL. Any other
     * keyword is refused when the schema is loaded, so that a keyword a future generator writes is not skipped
     * silently. {@code nullable} is rewritten before loading, see {@link #nullAsType}.
     */
    private static Dialect structuralSchemaDialect() {
        return Dialect.builder("https://keyferry.io/test/kubernetes-structural-schema", Dialects.getOpenApi30())
                .keywords(Stream.of("preserve-unknown-fields", "embedded-resource", "int-or-string", "list-type",
                                "list-map-keys", "map-type", "validations")
                        .map(name -> new NonValidationKeyword("x-kubernetes-" + name)).toList())
                // OpenAPI 3.0's boolean exclusiveMinimum is read by the minimum keyword next to it, not on its own.
                .keyword(new NonValidationKeyword("exclusiveMinimum"))
                .unknownKeywordFactory((keyword, context) -> {
                    throw new SchemaException("schema keyword '" + keyword + "' is not known to"
                            + " SchemaValidationTest; decide whether it validates and declare it in structuralSchemaDialect()");
                })
                .build();
    }

    static Stream<Path> invalidManifests() throws IOException {
        try (Stream<Path> files = Files.list(INVALID)) {
            return files.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.keyferry.api.ExamplesTest#examples")
    void exampleMatchesTheCrdSchema(Path example) throws IOException {
        assertEquals(List.of(), CRD.validate(read(example)).stream().map(Error::toString).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void brokenManifestIsRefusedForTheFieldItBreaks(Path manifest) throws IOException {
        Matcher expect = EXPECT.matcher(Files.readString(manifest).lines().findFirst().orElse(""));
        assertTrue(expect.matches(), manifest + " must start with # expect: <path> (<keyword>)");

        assertEquals(List.of(expect.group(1)), fieldsAndKeywords(CRD, read(manifest)));
    }

    @Test
    void celRulesStayInTheCrd() {
        assertEquals(List.of(
                new CelRule("spec", "has(self.phase) == has(self.cutover)",
                        "spec.phase and spec.cutover go together: a cutover needs a phase, a one-shot copy has neither")),
                CrdSchema.celRules());
    }

    @Test
    void nullPassesTheTypeOnlyWhereNullableAndMustStillBeInTheEnum() {
        Schema schema = structuralSchema(JSON.readTree("""
                {"type": "object", "properties": {
                  "nullable": {"type": "string", "nullable": true},
                  "nullableEnum": {"type": "string", "enum": ["A"], "nullable": true},
                  "plain": {"type": "string"}}}
                """));

        assertEquals(List.of("nullableEnum (enum)", "plain (type)"),
                fieldsAndKeywords(schema, JSON.readTree("{\"nullable\": null, \"nullableEnum\": null, \"plain\": null}")));
    }

    @Test
    void schemaKeywordNobodyDecidedOnIsRefused() {
        SchemaException e = assertThrows(SchemaException.class, () -> STRUCTURAL_SCHEMAS.getSchema(
                JSON.readTree("{\"type\": \"object\", \"x-kubernetes-something-new\": true}")).validate(JSON.readTree("{}")));
        assertEquals("schema keyword 'x-kubernetes-something-new' is not known to SchemaValidationTest; decide whether"
                + " it validates and declare it in structuralSchemaDialect()", e.getMessage());
    }

    private static Schema structuralSchema(JsonNode openApiV3Schema) {
        nullAsType(openApiV3Schema);
        return STRUCTURAL_SCHEMAS.getSchema(openApiV3Schema);
    }

    /**
     * Rewrites {@code nullable: true} into a type union ({@code type: [string, "null"]}) and drops {@code
     * nullable}. That is what the API server does with it: null passes the type check, and {@code enum} still
     * applies (null must be listed), while the other keywords ignore null. The OpenAPI 3.0 dialect's own
     * {@code nullable} lets null through {@code enum} as well, which the API server does not. A schema without
     * a type accepts null already. The property named "nullable" in a {@code properties} map is a schema, not
     * a boolean, and is left alone.
     */
    private static void nullAsType(JsonNode schema) {
        if (schema instanceof ObjectNode object && object.path("nullable").isBoolean()) {
            boolean nullable = object.remove("nullable").asBoolean();
            if (nullable && object.path("type").isString()) {
                String type = object.get("type").asString();
                object.putArray("type").add(type).add("null");
            }
        }
        schema.forEach(SchemaValidationTest::nullAsType);
    }

    private static JsonNode read(Path manifest) throws IOException {
        return JSON.readTree(YAML.readTree(manifest.toFile()).toString());
    }

    /** Each error as the Kubernetes field path it is about and the schema keyword that refused it. */
    private static List<String> fieldsAndKeywords(Schema schema, JsonNode instance) {
        return schema.validate(instance).stream().map(e -> fieldPath(e) + " (" + e.getKeyword() + ")").toList();
    }

    /** spec.sources[0].name; for a missing property (required) the path of that property. */
    private static String fieldPath(Error error) {
        StringBuilder path = new StringBuilder();
        NodePath at = error.getInstanceLocation();
        for (int i = 0; i < at.getNameCount(); i++) {
            Object element = at.getElement(i);
            path.append(element instanceof Integer ? "[" + element + "]" : (path.length() == 0 ? "" : ".") + element);
        }
        if (error.getProperty() != null) {
            path.append(path.length() == 0 ? "" : ".").append(error.getProperty());
        }
        return path.toString();
    }
}
