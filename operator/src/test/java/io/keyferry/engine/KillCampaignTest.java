package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.Datasets;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of `keyferry run` at random instants, for each policy, over all six types with big keys (chunked hashes,
 * lists, sets and sorted sets, a streamed string): after every chain of kills, the same command run to its end leaves
 * the target exactly as an uninterrupted run does, with the same counts. The instants come from a seed printed at the
 * start: {@code -Dkeyferry.killSeed=N} replays a campaign. The build runs one chain of 3 kills per policy (its time
 * budget); {@code -Dkeyferry.killCampaign=full} runs four chains of 5 (20 kill points per policy).
 */
class KillCampaignTest {
    private static final int KEYS = 1500;
    private static final boolean FULL = "full".equals(System.getProperty("keyferry.killCampaign"));
    private static final int CHAIN = FULL ? 5 : 3;
    private static final long SEED = Long.getLong("keyferry.killSeed", System.nanoTime());
    private static final int CHAINS = FULL ? 4 : 1;
    private static RedisServer source;

    @BeforeAll
    static void load() {
        System.out.println("[kill campaign] seed " + SEED + ", " + CHAINS + " chain(s) of " + CHAIN
                + " kills per policy; replay with -Dkeyferry.killSeed=" + SEED);
        source = RedisServer.start();
        Datasets.sixTypes(source, KEYS, 5000, 3 << 20); // big keys past the 4,096 elements copied whole
    }

    @AfterAll
    static void stop() {
        source.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Overwrite", "Merge", "Fill", "Skip"})
    void everyChainOfKillsEndsExactlyAsAnUninterruptedRun(String policy) throws Exception {
        Random random = new Random(SEED ^ policy.hashCode());
        Map<String, String> expected;
        JsonNode expectedReport;
        try (RedisServer reference = prefilled()) {
            Path state = Files.createTempDirectory("kill-ref-");
            expectedReport = runToEnd(manifest(policy, reference, false), state);
            expected = Values.snapshot(reference.redis());
        }
        for (int chain = 0; chain < CHAINS; chain++) {
            try (RedisServer target = prefilled()) {
                Path state = Files.createTempDirectory("kill-chain-");
                List<Long> killedAt = killChain(manifest(policy, target, true), state, random);
                String replay = policy + ", chain " + chain + ", kills at " + killedAt + " ms; replay with -Dkeyferry.killSeed=" + SEED;
                System.out.println("[kill campaign] " + replay);
                JsonNode report = runToEnd(manifest(policy, target, false), state);
                assertEquals(expectedReport.get("outcomes"), report.get("outcomes"), "counts, " + replay);
                assertEquals(expectedReport.get("keysScanned"), report.get("keysScanned"), "keys scanned, " + replay);
                Map<String, String> got = Values.snapshot(target.redis());
                assertEquals(expected.keySet(), got.keySet(), "the same keys, " + replay);
                for (String key : expected.keySet()) {
                    assertEquals(expected.get(key), got.get(key), key + ", " + replay);
                }
            }
        }
    }

    /** Starts the copy and kills it CHAIN times, each after a random wait (from start-up to past the copy's end). */
    private static List<Long> killChain(Path manifest, Path state, Random random) throws InterruptedException {
        List<Long> killedAt = new ArrayList<>();
        for (int k = 0; k < CHAIN; k++) {
            long wait = 200 + random.nextInt(2300);
            ChildJvm child = start(manifest, state);
            Thread.sleep(wait);
            if (child.isAlive()) {
                child.killHard();
                killedAt.add(wait);
            } else {
                killedAt.add(-wait); // it had finished: later kills land on a finished copy, which must stay as it is
            }
        }
        return killedAt;
    }

    private static ChildJvm start(Path manifest, Path state, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "-f", manifest.toString(), "--no-progress",
                "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return ChildJvm.start("256m", args.toArray(String[]::new));
    }

    private static JsonNode runToEnd(Path manifest, Path state) throws Exception {
        Path report = state.resolve("report.json");
        ChildJvm child = start(manifest, state, "--report", report.toString());
        assertEquals(0, child.waitFor(180), child.output());
        return new ObjectMapper().readTree(report.toFile());
    }

    private static RedisServer prefilled() {
        RedisServer target = RedisServer.start();
        Datasets.sixTypesPrefill(target, KEYS);
        target.redis().set("string:0", "the target's own");
        target.redis().xadd("stream:5", new io.lettuce.core.XAddArgs().id("1-1"), Map.of("g", "the target's own"));
        return target;
    }

    /**
     * Paced for the kills, so that they land while keys are still being copied; the runs to the end are not (the pace
     * changes no outcome). Merge has no meaning for strings: they overwrite.
     */
    private static Path manifest(String policy, RedisServer target, boolean paced) throws Exception {
        Path f = Files.createTempFile("kill-", ".yaml");
        String strings = policy.equals("Merge") ? ", string: Overwrite" : "";
        Files.writeString(f, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: kill}\n"
                + "spec:\n  sources: [{name: src, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                + "  policies: {default: " + policy + strings + "}\n  verify: {mode: \"Off\"}\n"
                + "  worker: {batchSize: 100" + (paced ? ", rateLimit: {keysPerSecond: 300}" : "") + "}\n");
        return f;
    }
}
