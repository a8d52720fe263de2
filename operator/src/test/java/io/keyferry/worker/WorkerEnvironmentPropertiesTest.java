package io.keyferry.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.ManifestLoader;
import io.keyferry.cli.WorkerCommand;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.testing.HostileText;
import io.keyferry.testing.Seeds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The KEYFERRY_SPEC a worker reads, however malformed, deep or wrongly typed, is either a spec it can run or is refused
 * (exit 2) naming the variable and the field: never another exception or Java's own words. Seeded variants
 * ({@link HostileText}) of the JSON the operator writes for the reference manifest.
 */
class WorkerEnvironmentPropertiesTest {
    private static final Pattern REFUSED = Pattern.compile("KEYFERRY_SPEC is not a spec a worker can run: spec[.\\[:\\s].*"
            + "|environment variable KEYFERRY_SPEC is not set;.*", Pattern.DOTALL);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anySpecTextIsRunnableOrRefusedNamingTheVariableAndTheField() {
        long seed = Seeds.seed("WorkerEnvironmentPropertiesTest");
        HostileText variants = new HostileText(new Random(seed), referenceSpec(), true);
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 800 && failures.size() < 5; i++) {
            String json = variants.next();
            try {
                WorkerEnvironment.from(env(json));
            } catch (MigrationInputException e) {
                refused++;
                if (!REFUSED.matcher(e.getMessage()).matches() || HostileText.JAVA.matcher(e.getMessage()).find()) {
                    failures.add("case " + i + ": " + shorten(e.getMessage()) + "\n  input: " + shorten(json));
                }
            } catch (Throwable t) {
                failures.add("case " + i + ": threw " + t + "\n  input: " + shorten(json));
            }
        }
        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
        assertTrue(refused > 400, "most variants are refused: " + refused);
    }

    @Test
    void aSpecThatBindsButCannotRunIsRefusedAtItsField() {
        String json = referenceSpec().replace("\"batchSize\":500", "\"batchSize\":-3");

        MigrationInputException e = assertThrows(MigrationInputException.class, () -> WorkerEnvironment.from(env(json)));

        assertTrue(e.getMessage().startsWith("KEYFERRY_SPEC is not a spec a worker can run: spec.worker.batchSize: "),
                e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedAtItsPath() {
        String json = referenceSpec().replace("\"batchSize\":500", "\"batchSize\":{\"a\":[1]}");

        MigrationInputException e = assertThrows(MigrationInputException.class, () -> WorkerEnvironment.from(env(json)));

        assertEquals("KEYFERRY_SPEC is not a spec a worker can run: spec.worker.batchSize: expected a whole number, got an"
                + " object; worker pods are created by the operator, do not run them by hand", e.getMessage());
    }

    @Test
    void theWorkerExitsTwoAndSaysSo() {
        StringWriter out = new StringWriter();

        int code = WorkerCommand.run(env("{\"sources\": [[[[[\"}"), null, new PrintWriter(out, true), w -> 0, false, false);

        assertEquals(Worker.INVALID_INPUT, code);
        assertEquals("keyferry worker: KEYFERRY_SPEC is not a spec a worker can run: spec: malformed YAML at line 1, column 20:"
                + " found unexpected end of stream; worker pods are created by the operator, do not run them by hand",
                out.toString().strip());
    }

    static String referenceSpec() {
        return WorkerEnvironment.specJson(ManifestLoader.load(Path.of("src/test/resources/manifests/valid/full.yaml")).getSpec());
    }

    private static Map<String, String> env(String spec) {
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnvironment.SPEC, spec);
        env.put(WorkerEnvironment.MIGRATION, "users");
        env.put(WorkerEnvironment.NAMESPACE, "shop");
        env.put(WorkerEnvironment.CHECKPOINT_ID, "users-1");
        env.put(WorkerEnvironment.REPORT, "users-report");
        return env;
    }

    private static String shorten(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "... (" + s.length() + " characters)";
    }
}
