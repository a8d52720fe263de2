package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a DataMigration manifest strictly, the way the API server would: unknown fields, values
 * of the wrong type and invalid enum values are errors, not silently dropped or coerced. Then
 * {@link SpecValidator} checks what the manifest means. Every problem becomes a
 * {@link FieldError} with a Kubernetes-style path; problems with the file itself carry its name.
 * Problems of shape are reported together, and the meaning is checked once the shape is right:
 * a half-bound manifest would only give misleading errors about what is missing.
 */
public final class ManifestLoader {
    static final YAMLMapper MAPPER = strictMapper();

    private ManifestLoader() {}

    /**
     * Builds the YAML reader ahead of the first manifest; safe on any thread. Not Jackson's binding: most manifests
     * never need it ({@link QuickBinding}).
     */
    public static void warmUp() {
        MAPPER.getFactory();
    }

    /** Reads, binds and validates the manifest in {@code file}. */
    public static DataMigration load(Path file) {
        return parse(read(file), file.toString());
    }

    /**
     * Binds and validates one manifest; {@code sourceName} names it in errors about the text as a whole.
     *
     * @throws InvalidManifestException with every problem found
     */
    public static DataMigration parse(String yaml, String sourceName) {
        if (!(singleDocument(yaml, sourceName) instanceof ObjectNode manifest)) {
            throw fileError(sourceName, "is not a manifest: expected apiVersion, kind, metadata and spec at the top level");
        }
        // A manifest of another kind would only add noise about fields it was never meant to have.
        throwIfAny(SpecValidator.validateHeader(text(manifest, "apiVersion"), text(manifest, "kind")));
        // Status is the operator's output, never input; manifests exported with kubectl carry one.
        manifest.remove("status");
        DataMigration dm = bind(manifest);
        throwIfAny(SpecValidator.validate(dm));
        return dm;
    }

    /**
     * Binds and validates a spec alone, as JSON or YAML (what the operator gives a worker), as strictly as a manifest's:
     * every problem's path starts at {@code spec}; problems with the text as a whole carry {@code sourceName}.
     *
     * @throws InvalidManifestException with every problem found
     */
    public static DataMigrationSpec parseSpec(String text, String sourceName) {
        JsonNode document = singleDocument(text, sourceName);
        if (!(document instanceof ObjectNode)) {
            throw fileError(sourceName, "is not a spec: expected an object of sources, target and how to copy");
        }
        ObjectNode manifest = MAPPER.createObjectNode();
        manifest.set("spec", document);
        DataMigrationSpec spec = bind(manifest).getSpec();
        throwIfAny(SpecValidator.validateSpec(spec));
        return spec;
    }

    private static YAMLMapper strictMapper() {
        return YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS) // "500" is not a number, "true" not a boolean
                .withCoercionConfig(LogicalType.Textual, strings -> strings // nor is 500 a string
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // A field written without a value keeps its default; an empty list item is an error.
                .defaultSetterInfo(JsonSetter.Value.construct(Nulls.SKIP, Nulls.FAIL))
                .addMixIn(ObjectMeta.class, StrictObjectMeta.class)
                .build();
    }

    /** ObjectMeta keeps unknown fields in a map; a typo in metadata is reported like any other. */
    private abstract static class StrictObjectMeta {
        @JsonAnySetter(enabled = false)
        abstract void setAdditionalProperty(String name, Object value);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw fileError(file.toString(), "no such file");
        } catch (AccessDeniedException e) {
            throw fileError(file.toString(), "cannot be read: permission denied");
        } catch (MalformedInputException e) {
            throw fileError(file.toString(), "is not UTF-8 text");
        } catch (IOException e) {
            throw fileError(file.toString(), "cannot be read: " + e.getMessage());
        }
    }

    private static JsonNode singleDocument(String yaml, String sourceName) {
        List<JsonNode> documents = readDocuments(yaml, sourceName).stream()
                .filter(d -> !d.isNull() && !d.isMissingNode())
                .toList();
        if (documents.isEmpty()) {
            throw fileError(sourceName, "is empty; it must hold one DataMigration manifest");
        }
        if (documents.size() > 1) {
            throw fileError(sourceName, "holds " + documents.size()
                    + " YAML documents; a file holds one DataMigration, so put each in its own file");
        }
        return documents.get(0);
    }

    /** Each YAML document in the text; a document that is a list stays one document. */
    private static List<JsonNode> readDocuments(String yaml, String sourceName) {
        List<JsonNode> documents = new ArrayList<>();
        try (JsonParser parser = MAPPER.createParser(yaml)) {
            while (parser.nextToken() != null) {
                documents.add(MAPPER.readTree(parser));
            }
            return documents;
        } catch (JsonParseException e) {
            throw fileError(sourceName, malformed(e));
        } catch (StreamConstraintsException e) {
            throw fileError(sourceName, beyondLimits(e));
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from a string", e);
        }
    }

    /** SnakeYAML knows where the problem is; Jackson only where it noticed it. */
    private static String malformed(JsonParseException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            Mark mark = yaml.getProblemMark();
            return malformedAt(mark.getLine() + 1, mark.getColumn() + 1, yaml.getProblem());
        }
        JsonLocation location = e.getLocation();
        return malformedAt(location.getLineNr(), location.getColumnNr(), e.getOriginalMessage());
    }

    /** Nested deeper, or a value or number longer, than a manifest needs (the reader's own limits: 1000 levels, 20 MB). */
    private static String beyondLimits(StreamConstraintsException e) {
        String limit = e.getOriginalMessage().replaceAll(",? from `[^`]*`", "").strip();
        JsonLocation at = e.getLocation();
        return (at == null || at.getLineNr() < 1 ? "" : "at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ")
                + "the text goes beyond what a manifest can need (" + limit + "); a DataMigration is a few levels deep"
                + " and its values short";
    }

    private static String malformedAt(int line, int column, String problem) {
        return "malformed YAML at line " + line + ", column " + column + ": " + problem;
    }

    private static String text(ObjectNode manifest, String field) {
        JsonNode value = manifest.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static DataMigration bind(ObjectNode manifest) {
        DataMigration quick = QuickBinding.manifest(manifest);
        return quick != null ? quick : bindByJackson(manifest);
    }

    /** Binds as the API server's strictness asks, naming every problem; also what {@link QuickBinding} gives up to. */
    static DataMigration bindByJackson(ObjectNode manifest) {
        BindingProblems problems = new BindingProblems();
        JsonParser parser = MAPPER.treeAsTokens(manifest);
        try {
            DataMigration dm = MAPPER.readerFor(DataMigration.class).withHandler(problems).readValue(parser);
            throwIfAny(problems.errors());
            return dm;
        } catch (JsonMappingException e) {
            problems.add(parser, e);
            throw new InvalidManifestException(problems.errors());
        } catch (IOException e) {
            throw new UncheckedIOException("binding a YAML tree", e);
        }
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidManifestException(errors);
        }
    }

    private static InvalidManifestException fileError(String sourceName, String message) {
        return new InvalidManifestException(List.of(new FieldError(sourceName, message)));
    }
}
