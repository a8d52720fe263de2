package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.HostileDialect;
import io.keyferry.testing.peers.HostileDialect.Fault;
import io.keyferry.testing.peers.RecordingDialect;
import io.keyferry.testing.peers.StoreDouble;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every command KeyFerry sends to a source or a target, in a copy and in a verification, answered wrongly by a
 * {@link HostileDialect} in every way it knows: the run ends, with an error that names the endpoint (its address),
 * within the client's own timeouts, without an OutOfMemoryError (an Error fails the test), and without a wrong
 * value written: whatever the target holds afterwards matches the source, but for the keys of the batch in flight
 * (journaled, written again first on resume), and a rerun without the fault resumes and finishes the copy exactly.
 * The build gives each command 3 of the 10 faults, rotating so that every fault meets about a third of the commands
 * of each side, and the small heap one case; {@code -Dkeyferry.hostile=full} runs every command with every fault
 * and all three small-heap cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRepliesTest {
    /** Far beyond any run here (they take well under a second); only a hang reaches it. */
    private static final Duration HANG = Duration.ofMinutes(3);
    /** Login and set-up commands the doubles see once per connection and a test cannot aim at alone. */
    private static final Set<String> NOT_AIMED = Set.of("CLIENT");
    private static final boolean FULL = "full".equals(System.getProperty("keyferry.hostile"));
    /** Faults per command in the build: the offsets 0, 3 and 7 from the command's own index spread them evenly. */
    private static final int[] OFFSETS = {0, 3, 7};

    private RedisServer source;
    private RedisServer target;

    @BeforeAll
    void servers() {
        source = RedisServer.start();
        target = RedisServer.start();
        load(source.redis());
    }

    @AfterAll
    void stop() {
        source.close();
        target.close();
    }

    @TestFactory
    Stream<DynamicTest> everyCommandToTheSourceAnsweredWrongly() {
        return aimed(commands(true), true);
    }

    @TestFactory
    Stream<DynamicTest> everyCommandToTheTargetAnsweredWrongly() {
        return aimed(commands(false), false);
    }

    private Stream<DynamicTest> aimed(Set<String> commands, boolean atSource) {
        List<String> names = List.copyOf(commands);
        Fault[] all = Fault.values();
        return java.util.stream.IntStream.range(0, names.size()).mapToObj(i -> {
            List<Fault> faults = FULL ? List.of(all)
                    : java.util.Arrays.stream(OFFSETS).mapToObj(o -> all[(i + o) % all.length]).toList();
            return dynamicTest(names.get(i) + " " + faults, () -> everyFault(names.get(i), faults, atSource));
        });
    }

    /**
     * Under a worker-sized heap (-Xmx64m), a reply that declares a 512 MiB value, or 2^31 - 1 replies, ends `keyferry
     * run` with exit 3 and the endpoint named, not with an OutOfMemoryError: nothing is allocated for what a server
     * merely declares.
     */
    @TestFactory
    Stream<DynamicTest> declaredSizesAllocateNothingInASmallHeap() {
        Stream<Object[]> cases = Stream.of(new Object[] {"DUMP", Fault.OVERSIZED_BULK},
                new Object[] {"SCAN", Fault.HUGE_ARRAY}, new Object[] {"GETRANGE", Fault.OVERSIZED_BULK});
        return cases.limit(FULL ? 3 : 1).map(c -> dynamicTest(c[0] + " " + c[1], () -> {
                    target.redis().flushall();
                    try (StoreDouble d = StoreDouble.of(new HostileDialect((String) c[0], (Fault) c[1]), source)) {
                        java.nio.file.Path manifest = java.nio.file.Files.createTempFile("hostile-", ".yaml");
                        java.nio.file.Files.writeString(manifest, "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\n"
                                + "metadata: {name: hostile}\nspec:\n  sources: [{name: hostile, endpoint: {uri: \"" + d.uri()
                                + "\"}}]\n  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n  policies: {default: Overwrite}\n");
                        io.keyferry.testing.ChildJvm run = io.keyferry.testing.ChildJvm.start("64m", "run", "-f",
                                manifest.toString(), "--no-progress", "--state-dir", tempDir().toString());
                        assertEquals(3, run.waitFor(120), run.output());
                        assertTrue(run.output().contains("source hostile (" + d.uri() + ")")
                                && !run.output().contains("OutOfMemoryError"), run.output());
                    }
                }));
    }

    /** The commands a copy and a verification send to one side, as a recording double in front of it saw them. */
    private Set<String> commands(boolean toSource) {
        RecordingDialect log = new RecordingDialect();
        target.redis().flushall();
        try (StoreDouble d = StoreDouble.of(log, toSource ? source : target)) {
            DataMigrationSpec spec = spec(toSource ? d.uri() : source.uri(), toSource ? target.uri() : d.uri());
            Copies.run(spec);
            assertTrue(Copies.verify(spec, false).clean());
        }
        Set<String> names = new TreeSet<>();
        log.sent().forEach(s -> names.add(s.name()));
        names.removeAll(NOT_AIMED);
        return names;
    }

    private void everyFault(String command, List<Fault> faults, boolean atSource) {
        List<String> problems = new ArrayList<>();
        for (Fault fault : faults) {
            String problem = assertTimeoutPreemptively(HANG, () -> run(command, fault, atSource));
            if (problem != null) {
                problems.add(fault + ": " + problem);
            }
        }
        assertTrue(problems.isEmpty(), command + " to the " + (atSource ? "source" : "target") + ":\n"
                + String.join("\n", problems));
    }

    /** Null when the fault ended as it must; otherwise what went wrong. */
    private String run(String command, Fault fault, boolean atSource) {
        target.redis().flushall();
        HostileDialect hostile = new HostileDialect(command, fault);
        java.nio.file.Path state = tempDir();
        try (StoreDouble d = StoreDouble.of(hostile, atSource ? source : target)) {
            DataMigrationSpec spec = spec(atSource ? d.uri() : source.uri(), atSource ? target.uri() : d.uri());
            String failure = null;
            try {
                Copies.run(spec, state);
                Copies.verify(spec, false);
            } catch (RuntimeException e) {
                failure = messages(e);
                if (!failure.contains(":" + d.port())) {
                    return "the error does not name the endpoint (:" + d.port() + "): " + failure;
                }
            }
            if (hostile.faults() == 0) {
                return null; // this run did not send it (it depends on what the target held)
            }
            hostile.heal();
            return afterwards(spec, state, failure);
        }
    }

    /** Nothing wrong written outside the batch in flight, and the same copy, resumed, finishes exactly. */
    private static String afterwards(DataMigrationSpec spec, java.nio.file.Path state, String failure) {
        Set<String> inFlight = inFlight(state);
        List<VerifyResult.Sample> wrong = Copies.verify(spec, false).samples().stream()
                .filter(s -> !s.reason().equals("missing in target") && !inFlight.contains(s.key())).toList();
        if (!wrong.isEmpty()) {
            return "a wrong value was written outside the batch in flight " + inFlight + ": " + wrong
                    + (failure == null ? "" : " (the run said: " + failure + ")");
        }
        Copies.run(spec, state); // resumes: the batch in flight first, under its journaled decisions
        VerifyResult rerun = Copies.verify(spec, false);
        return rerun.clean() ? null : "the copy, resumed without the fault, did not finish exactly: " + rerun;
    }

    /** The target keys of the batch the failed run had journaled and not finished: a rerun writes them again. */
    private static Set<String> inFlight(java.nio.file.Path state) {
        try (io.keyferry.engine.checkpoint.FileCheckpointStore store = new io.keyferry.engine.checkpoint.FileCheckpointStore(state)) {
            Set<String> keys = new TreeSet<>();
            store.load().filter(cp -> cp.inflight != null).ifPresent(cp -> cp.inflight.decisions.forEach(
                    d -> keys.add(new String(d.targetKey(), java.nio.charset.StandardCharsets.UTF_8))));
            return keys;
        }
    }

    private static DataMigrationSpec spec(String sourceUri, String targetUri) {
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.getSources().add(Copies.source("hostile", sourceUri));
        io.keyferry.api.TargetSpec t = new io.keyferry.api.TargetSpec();
        t.setEndpoint(Copies.endpoint(targetUri));
        spec.setTarget(t);
        spec.getPolicies().setDefaultPolicy(Policy.OVERWRITE);
        spec.getWorker().setBatchSize(50);
        return spec;
    }

    /** The message of an exception and of its causes, one after another. */
    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return sb.length() > 1500 ? sb.substring(0, 1500) + "..." : sb.toString();
    }

    private static java.nio.file.Path tempDir() {
        try {
            return java.nio.file.Files.createTempDirectory("hostile-rerun");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** 40 small keys of each type, one of each collection over 512 elements and a 1 MiB string (the chunked paths). */
    private static void load(RedisCommands<String, String> r) {
        for (int i = 0; i < 40; i++) {
            r.set("s:" + i, "v" + i);
            r.hset("h:" + i, Map.of("a", "1", "b", "2"));
            r.rpush("l:" + i, "x", "y", "x");
            r.sadd("t:" + i, "p", "q");
            r.zadd("z:" + i, 1.5, "m");
            r.xadd("x:" + i, Map.of("f", "v"));
            if (i % 4 == 0) {
                r.pexpire("s:" + i, 600_000);
            }
        }
        for (int i = 0; i < 4200; i++) { // past the 4,096 elements copied whole: the chunked commands are aimed at too
            r.hset("big:hash", "f" + i, "v" + i);
            r.rpush("big:list", "e" + i);
            r.sadd("big:set", "m" + i);
            r.zadd("big:zset", i, "m" + i);
            r.xadd("big:stream", Map.of("n", "" + i));
        }
        r.set("big:string", "b".repeat(1 << 20));
    }
}
