package io.keyferry.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.keyferry.api.DataMigrationStatus;
import io.keyferry.api.FieldError;
import io.keyferry.api.InvalidManifestException;
import io.keyferry.api.ManifestLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;

/**
 * docs/gitops/argocd-health.lua, the Argo CD health check of DataMigration, run with LuaJ on sample
 * resources in src/test/resources/gitops/ whose status is what the operator writes (Decider, and the
 * flag-store path of DataMigrationReconciler). The script gets what Argo CD gives a check from argocd-cm:
 * the global {@code obj}, numbers as floating point (gopher-lua's only number type), and the base, package
 * and table libraries only, so a call into string or math fails here as it would in Argo CD.
 */
class ArgoHealthCheckTest {
    private static final Path SCRIPT = Path.of("../docs/gitops/argocd-health.lua");
    private static final Path GUIDE = Path.of("../docs/gitops.md");
    private static final Path SAMPLES = Path.of("src/test/resources/gitops");
    private static final String CONFIGMAP_KEY = "resource.customizations.health.keyferry.io_DataMigration: |";
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();

    record Health(String status, String message) {}

    @Test
    void aResourceWithoutStatusIsProgressingUntilTheOperatorHasSeenIt() {
        assertHealth("fresh.yaml", "Progressing", "waiting for the operator to observe generation 1");
    }

    @Test
    void aStatusOfAnOlderGenerationIsProgressingEvenIfItWasReady() {
        assertHealth("stale-generation.yaml", "Progressing", "waiting for the operator to observe generation 3");
    }

    @Test
    void aCopyUnderWayIsProgressingWithItsStagePercentAndEta() {
        assertHealth("copying.yaml", "Progressing", "stage Copying, copy 57.4% done, about 24 s left");
    }

    @Test
    void aVerifiedOneShotCopyIsHealthy() {
        assertHealth("verified-one-shot.yaml", "Healthy", "copied and verified");
    }

    @Test
    void anInvalidSpecIsDegradedAndNamesTheField() {
        assertHealth("invalid-spec.yaml", "Degraded", "InvalidSpec: spec.policies.string: Merge does not apply to strings");
    }

    @Test
    void aFailedWorkerIsDegradedWithTheJobsReason() {
        assertHealth("failed-worker.yaml", "Degraded",
                "Failed: copying source pika-1 failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
    }

    @Test
    void aFailureOutranksTheGuardWaitItCauses() {
        assertHealth("failed-during-guard-wait.yaml", "Degraded",
                "Failed: copying source redis-main failed: target (redis://kvrocks.storage:6666/0) at spec.target.endpoint.uri");
    }

    @Test
    void aCutoverWaitingAtTheReadTargetGuardIsSuspendedAndSaysWhy() {
        assertHealth("guard-wait.yaml", "Suspended", "GuardNotMet: spec.phase is ReadTarget but DualWrite stays in force: "
                + "the last verification round found 12 keys that differ, more than spec.cutover.maxMismatches (0)");
    }

    @Test
    void anUnreachableFlagStoreIsDegradedThoughThePhaseStaysInForceAndReady() {
        assertHealth("flag-store-unavailable.yaml", "Degraded",
                "FlagStoreUnavailable: the routing flag's store (spec.cutover.flag.endpoint) cannot be used");
    }

    @Test
    void aCutoverPhaseInForceIsHealthy() {
        assertHealth("phase-in-force.yaml", "Healthy", "ReadTarget is in force, flag 0111");
    }

    /**
     * The samples are states the operator can reach: a spec it accepts (or rejects with the very message in
     * the sample's status) and a status its classes bind.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void eachSampleIsAResourceTheOperatorCouldHaveWritten(String sample) throws IOException {
        String text = Files.readString(SAMPLES.resolve(sample));
        JsonNode status = YAML.readTree(text).path("status");
        if (!status.isMissingNode()) {
            YAML.treeToValue(status, DataMigrationStatus.class);
        }
        if (sample.equals("invalid-spec.yaml")) {
            InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ManifestLoader.parse(text, sample));
            assertEquals(conditionMessage(status, "Stalled"),
                    e.getErrors().stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        } else {
            ManifestLoader.parse(text, sample);
        }
    }

    @Test
    void theGuideCarriesTheScriptAsItIs() throws IOException {
        String guide = Files.readString(GUIDE);
        int key = guide.indexOf(CONFIGMAP_KEY);
        assertTrue(key >= 0, "docs/gitops.md has the argocd-cm snippet with " + CONFIGMAP_KEY);
        String indent = guide.substring(guide.lastIndexOf('\n', key) + 1, key) + "  ";
        String snippet = guide.substring(guide.indexOf('\n', key) + 1, guide.indexOf("```", key)).lines()
                .map(line -> line.isEmpty() ? line : line.substring(indent.length()))
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(Files.readString(SCRIPT), snippet, "the argocd-cm snippet in docs/gitops.md differs from " + SCRIPT);
    }

    static Stream<String> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    private static void assertHealth(String sample, String status, String message) {
        Health h = health(sample);
        assertEquals(status, h.status(), h.message());
        assertTrue(h.message().contains(message), "message: " + h.message());
    }

    /** Runs the script as Argo CD does: obj set, the chunk run, its returned table read. */
    private static Health health(String sample) {
        try {
            Globals lua = argoLibraries();
            lua.set("obj", toLua(YAML.readTree(SAMPLES.resolve(sample).toFile())));
            LuaValue hs = lua.load(Files.readString(SCRIPT), SCRIPT.getFileName().toString()).call();
            return new Health(hs.get("status").checkjstring(), hs.get("message").checkjstring());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Argo CD opens for a health check from argocd-cm (util/lua/lua.go): no string, math or io library. */
    private static Globals argoLibraries() {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        LoadState.install(globals);
        LuaC.install(globals);
        return globals;
    }

    /** JSON as Argo CD hands it to Lua: objects and arrays as tables, every number a float. */
    private static LuaValue toLua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                table.set(field.getKey(), toLua(field.getValue()));
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, toLua(node.get(i)));
            }
            return table;
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
    }

    private static String conditionMessage(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("message").asText();
            }
        }
        return null;
    }
}
