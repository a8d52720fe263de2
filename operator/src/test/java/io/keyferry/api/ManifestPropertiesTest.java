package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.HostileText;
import io.keyferry.testing.Seeds;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Any text, however malformed, deep or big, either is a DataMigration or is refused with every problem at a field
 * path (or the file's name, for the text as a whole), in words: never another exception, a stack overflow or a
 * message that is Java's rather than the user's. Seeded variants of a manifest that uses every field
 * ({@link HostileText}); the timeout only catches a hang.
 */
class ManifestPropertiesTest {
    static final int CASES = 800;
    private static final String FILE = "fuzz.yaml";
    /**
     * A path the user can find: a top-level field as written (a mangled key may hold spaces, as in '^  worker') and its
     * descendants, or the file's own name.
     */
    private static final Pattern PATH = Pattern.compile("[^.\\[\\s][^.\\[]*([.\\[].*)?|" + Pattern.quote(FILE),
            Pattern.DOTALL);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anyManifestTextEndsAsADataMigrationOrAsProblemsAtFieldPaths() throws IOException {
        long seed = Seeds.seed("ManifestPropertiesTest");
        Random random = new Random(seed);
        String base = Files.readString(Path.of("src/test/resources/manifests/valid/full.yaml"));
        HostileText variants = new HostileText(random, base, false);
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < CASES && failures.size() < 5; i++) {
            String text = variants.next();
            String problem = check(text);
            if (problem == null) {
                continue;
            }
            if (problem.isEmpty()) {
                refused++;
            } else {
                failures.add("case " + i + ": " + problem + "\n  input: " + shorten(text));
            }
        }
        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
        assertTrue(refused > CASES / 2, "most variants are refused: " + refused + " of " + CASES);
    }

    @Test
    void theCommandLineRefusesABrokenManifestWithExitTwoAndNoStackTrace() throws IOException {
        long seed = Seeds.seed("ManifestPropertiesTest (CLI)");
        Random random = new Random(seed);
        String base = Files.readString(Path.of("src/test/resources/manifests/valid/full.yaml"));
        HostileText variants = new HostileText(random, base, false);
        int ran = 0;
        while (ran < 40) {
            String text = variants.next();
            if (!"".equals(check(text))) {
                continue; // accepted: it would start a copy
            }
            Path file = Files.createTempFile("fuzz-", ".yaml");
            Files.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)); // a lone surrogate becomes '?'
            if (!"".equals(check(Files.readString(file)))) {
                Files.delete(file); // the '?' made it a manifest the command would run: not a refusal to test
                continue;
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = io.keyferry.cli.Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                    "verify", "-f", file.toString(), "--no-progress");
            String said = err.toString();
            assertEquals(2, code, "seed " + seed + ", input:\n" + shorten(text) + "\n" + said);
            assertTrue(said.contains(file + " is not a valid DataMigration:") && !HostileText.JAVA.matcher(said).find(),
                    "seed " + seed + ":\n" + said);
            Files.delete(file);
            ran++;
        }
    }

    @Test
    void valuesNestedThousandsDeepAreRefusedAtTheFileNamingTheLimit() {
        String deep = HEADER + "spec: {sources: " + "[".repeat(5000) + "]".repeat(5000) + "}\n";

        FieldError error = onlyError(deep);

        assertEquals(FILE, error.path());
        assertEquals("the text goes beyond what a manifest can need (Document nesting depth (1001) exceeds the maximum"
                + " allowed (1000)); a DataMigration is a few levels deep and its values short", error.message());
    }

    @Test
    void anAliasBombIsRefusedWithoutBeingExpanded() {
        StringBuilder bomb = new StringBuilder(HEADER + "spec:\n  x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (int i = 1; i < 9; i++) { // a billion a's, were the aliases expanded
            bomb.append("  x").append(i).append(": &x").append(i).append(" [").append(("*x" + (i - 1) + ", ").repeat(9))
                    .append("*x").append(i - 1).append("]\n");
        }
        bomb.append("  sources: *x8\n");

        assertEquals("", check(bomb.toString()));
    }

    @Test
    void aValueOfMegabytesIsRefusedAtItsField() {
        FieldError error = onlyError(HEADER.replace("{name: users}", "{name: " + "a".repeat(4 << 20) + "}"));

        assertTrue(error.path().equals("metadata.name") || error.path().equals(FILE), error.toString());
        assertTrue(error.message().length() < 2000, "the message does not repeat the value: " + error.message().length());
    }

    private static final String HEADER = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: users}\n";

    private static FieldError onlyError(String text) {
        InvalidManifestException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidManifestException.class,
                () -> ManifestLoader.parse(text, FILE));
        assertEquals(1, e.getErrors().size(), e.getMessage().length() > 2000 ? e.getMessage().substring(0, 2000) : e.getMessage());
        return e.getErrors().get(0);
    }

    /** Null when the text is accepted, "" when it is refused as it must be, otherwise what went wrong. */
    static String check(String text) {
        try {
            ManifestLoader.parse(text, FILE);
            return null;
        } catch (InvalidManifestException e) {
            for (FieldError error : e.getErrors()) {
                if (!PATH.matcher(error.path()).matches()) {
                    return "the path '" + shorten(error.path()) + "' names no field (" + shorten(error.message()) + ")";
                }
                if (error.message().isBlank() || HostileText.JAVA.matcher(error.message()).find()) {
                    return "the message is Java's, not the user's: " + shorten(error.toString());
                }
            }
            return "";
        } catch (Throwable t) {
            StringBuilder chain = new StringBuilder("threw");
            for (Throwable c = t; c != null; c = c.getCause()) {
                chain.append(" ").append(c.getClass().getName()).append(": ").append(shorten(String.valueOf(c.getMessage())))
                        .append(" at ").append(c.getStackTrace().length > 0 ? c.getStackTrace()[0] : "?").append(";");
            }
            return chain.toString();
        }
    }

    static String shorten(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "... (" + s.length() + " characters)";
    }
}
