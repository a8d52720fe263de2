package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyferry.testing.CrdSchema;
import io.keyferry.testing.CrdSchema.CelRule;
import io.keyferry.testing.CrdSchema.Field;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/reference.md documents every field of the CRD and no other, with the CRD's type, constraints and
 * description, and shows its printer columns and CEL rules, so that it cannot go stale. The page says at
 * its top how it is written: a field is a table row whose first cell is its path in backticks (several
 * paths, separated by {@code <br>}, for the same field in several places).
 */
class ReferenceDocTest {
    private static final Path REFERENCE = Path.of("../docs/reference.md");
    /** Standard Kubernetes types: one row each, their fields left to the Kubernetes documentation. */
    private static final Set<String> STANDARD_TYPES = Set.of("spec.worker.resources", "status.conditions",
            "spec.worker.podTemplate.affinity", "spec.worker.podTemplate.tolerations", "spec.worker.podTemplate.imagePullSecrets");
    private static final Pattern PATH = Pattern.compile("`([^`]+)`");

    /** One path of a field row of the page, with the row's other cells. */
    record DocField(String path, String type, String defaultValue, String constraints, String description) {}

    private static String page;
    private static List<DocField> documented;
    private static Map<String, Field> crd;

    @BeforeAll
    static void read() throws IOException {
        page = Files.readString(REFERENCE);
        documented = fieldRows(page);
        crd = CrdSchema.fields(STANDARD_TYPES).stream()
                .collect(Collectors.toMap(Field::path, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void documentsEveryFieldOfTheCrdAndNoOther() {
        Set<String> paths = new HashSet<>();
        List<String> problems = new ArrayList<>();
        documented.stream().map(DocField::path).filter(p -> !paths.add(p)).forEach(p -> problems.add(p + ": documented twice"));
        crd.keySet().stream().filter(p -> !paths.contains(p)).forEach(p -> problems.add(p + ": not documented"));
        paths.stream().filter(p -> !crd.containsKey(p)).sorted().forEach(p -> problems.add(p + ": not in the CRD"));
        assertEquals(List.of(), problems, REFERENCE + " and " + CrdSchema.CHECKED_IN + " disagree");
    }

    @Test
    void saysWhatTheCrdSaysOfEachField() {
        List<String> problems = new ArrayList<>();
        for (DocField doc : documented) {
            Field field = crd.get(doc.path());
            if (field == null) {
                continue;
            }
            if (!doc.type().equals(field.type())) {
                problems.add(doc.path() + ": type is '" + doc.type() + "', the CRD says '" + field.type() + "'");
            }
            if (!doc.constraints().equals(field.constraints())) {
                problems.add(doc.path() + ": constraints are '" + doc.constraints() + "', the CRD says '"
                        + field.constraints() + "'");
            }
            if (!field.defaultValue().isEmpty() && !doc.defaultValue().equals("`" + field.defaultValue() + "`")) {
                problems.add(doc.path() + ": default is '" + doc.defaultValue() + "', the CRD says '`" + field.defaultValue() + "`'");
            }
            if (doc.description().isEmpty() || !doc.description().startsWith(field.description())) {
                problems.add(doc.path() + ": the description must start with the CRD's: '" + field.description() + "'");
            }
        }
        assertEquals(List.of(), problems, REFERENCE + " and " + CrdSchema.CHECKED_IN + " disagree");
    }

    @Test
    void showsEveryPrinterColumn() {
        List<String> missing = new ArrayList<>();
        for (JsonNode column : CrdSchema.version().get("additionalPrinterColumns")) {
            String row = "| " + column.get("name").asText() + " | `" + column.get("jsonPath").asText() + "` | "
                    + column.get("type").asText() + " |";
            if (!page.contains(row)) {
                missing.add(row);
            }
        }
        assertEquals(List.of(), missing, "printer columns missing from " + REFERENCE);
    }

    @Test
    void quotesEveryCelRuleAndItsMessage() {
        List<String> missing = new ArrayList<>();
        for (CelRule rule : CrdSchema.celRules()) {
            if (!page.contains("```\n" + rule.rule() + "\n```")) {
                missing.add(rule.rule());
            }
            if (!page.contains("Message: " + rule.message() + "\n")) {
                missing.add("Message: " + rule.message());
            }
        }
        assertEquals(List.of(), missing, "CEL rules missing from " + REFERENCE);
    }

    /** Every path named by a field row: a table row whose first cell holds only paths in backticks. */
    private static List<DocField> fieldRows(String markdown) {
        List<DocField> fields = new ArrayList<>();
        for (String line : markdown.lines().filter(l -> l.startsWith("| `")).toList()) {
            String[] cells = line.split("\\|", -1);
            assertEquals(7, cells.length, "a field row has 5 cells (path, type, default, constraints, description): " + line);
            String first = cells[1].trim();
            assertEquals("", PATH.matcher(first).replaceAll("").replace("<br>", ""),
                    "a field row's first cell holds only paths in backticks, separated by <br>: " + line);
            Matcher path = PATH.matcher(first);
            while (path.find()) {
                fields.add(new DocField(path.group(1), cells[2].trim(), cells[3].trim(), cells[4].trim(), cells[5].trim()));
            }
        }
        return fields;
    }
}
