package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.DataType;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.FlagSpec;
import io.keyferry.api.Policy;
import io.keyferry.api.SecretKeyRef;
import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.Canary;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's ACL rules are exactly what KeyFerry needs: with users that have only those rules (the README's lines,
 * pasted as they are) a copy, a verification with repair and extra keys, the guarded dual-write backfill, live sync
 * (the source's user with the README's line for it added) and the flag's compare-and-set all succeed; with any one permission taken away, KeyFerry either still finishes exactly
 * (the permission only helps where it is allowed, as DUMP does) or stops with the refused command named.
 */
@ExtendWith(Canary.class)
class AclTest {
    private static final Path README = Path.of("../README.md");
    private static final List<String> ROLES = List.of("source", "target", "flag");
    /** The README's line that adds what live sync needs to the source's user. */
    private static final String FOLLOW = "follow";

    @Test
    void copiesVerifiesBackfillsAndMovesTheFlagWithOnlyTheReadmeRules() throws IOException {
        assertNull(scenario(rules(), true));
    }

    @TestFactory
    Stream<DynamicTest> everyPermissionTakenAwayIsDoneWithoutOrNamed() throws IOException {
        Map<String, String> rules = rules();
        List<DynamicTest> tests = new ArrayList<>();
        for (String role : rules.keySet()) {
            for (String grant : Arrays.stream(rules.get(role).split(" ")).filter(w -> w.startsWith("+")).toList()) {
                String command = grant.substring(1);
                tests.add(dynamicTest(role + " without " + command, () -> {
                    Map<String, String> fewer = new LinkedHashMap<>(rules);
                    fewer.put(role, (" " + rules.get(role) + " ").replace(" " + grant + " ", " ").strip());
                    // Live sync reads the source as a replica and writes the target as a copy does: only the source's
                    // rules can fail it where the copy passed.
                    boolean follow = role.equals("source") || role.equals(FOLLOW);
                    String failure = scenario(fewer, follow);
                    assertTrue(failure == null || failure.contains("'" + command + "'"),
                            "without " + command + " on the " + role + " the failure does not name it: " + failure);
                }));
            }
        }
        return tests.stream();
    }

    /** The README's ACL SETUSER lines by role, as written there: one per endpoint, and the source's for live sync. */
    static Map<String, String> rules() throws IOException {
        Map<String, String> rules = new LinkedHashMap<>();
        for (String line : Files.readAllLines(README)) {
            for (String role : ROLES) {
                if (line.startsWith("ACL SETUSER keyferry-" + role + " ")) {
                    rules.put(role.equals("source") && line.startsWith("ACL SETUSER keyferry-source +") ? FOLLOW : role, line);
                }
            }
        }
        assertTrue(rules.keySet().containsAll(ROLES) && rules.containsKey(FOLLOW),
                "the README holds a line per role and one for live sync: " + rules.keySet());
        return rules;
    }

    /** Null when everything succeeded as the rules' users; otherwise what failed (with its causes' messages). */
    private static String scenario(Map<String, String> rules, boolean follow) throws IOException {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start(); RedisServer flag = RedisServer.start()) {
            setUser(source, rules.get("source"));
            setUser(source, rules.get(FOLLOW));
            source.redis().configSet("repl-diskless-sync-delay", "0"); // the first PSYNC's snapshot at once, not after 5 s
            setUser(target, rules.get("target"));
            setUser(flag, rules.get("flag"));
            load(source.redis());
            target.redis().set("only:in:target", "x");
            Path secrets = Files.createTempDirectory("acl-secrets");
            for (String role : ROLES) {
                Files.createDirectories(secrets.resolve(role));
                Files.writeString(secrets.resolve(role).resolve("username"), "keyferry-" + role);
                Files.writeString(secrets.resolve(role).resolve("password"), Canary.PASSWORD);
            }
            FileSecretResolver resolver = new FileSecretResolver(secrets);
            try {
                copyAndVerify(spec(source, target, Policy.OVERWRITE), resolver, false);
                if (follow) {
                    follow(spec(source, target, Policy.OVERWRITE), resolver, source, target);
                }
                target.redis().hset("h:1", "target-only", "kept under Fill"); // the application wrote it meanwhile
                DataMigrationSpec backfill = spec(source, target, Policy.MERGE);
                backfill.getPolicies().setList(Policy.FILL);
                copyAndVerify(backfill, resolver, true);
                moveFlag(flag, resolver);
                return null;
            } catch (RuntimeException e) {
                StringBuilder why = new StringBuilder();
                for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                    why.append(c.getMessage()).append(" | ");
                }
                return why.toString();
            } finally {
                RedisServer.deleteQuietly(secrets); // it holds the password
            }
        }
    }

    private static void copyAndVerify(DataMigrationSpec spec, FileSecretResolver secrets, boolean dualWrite) {
        spec.getVerify().setRoundPauseSeconds(0);
        try (Migration m = new Migration("acl", spec, secrets, link -> new TargetCheckpointStore(link.get(), "acl"))) {
            if (dualWrite) {
                m.guardingWrites().restartingOnOtherSpec();
            }
            m.prepare();
            m.copy(ProgressListener.NONE);
            VerifyResult verified = m.verify(ProgressListener.NONE, true, dualWrite);
            if (!verified.clean()) {
                throw new IllegalStateException("verification was not clean: " + verified);
            }
        }
    }

    /** Follows the source as a replica would, and applies one change it takes to the target. */
    private static void follow(DataMigrationSpec spec, FileSecretResolver secrets, RedisServer source, RedisServer target) {
        try (Migration m = Migration.verifyOnly("acl", spec, secrets)) {
            m.prepare();
            try (io.keyferry.engine.sync.Follow follow = new io.keyferry.engine.sync.Follow(spec, m, null, m::openRawSource)) {
                source.redis().set("s:followed", "a change");
                for (int tries = 0; tries < 400 && !"a change".equals(target.redis().get("s:followed")); tries++) {
                    follow.applyPending(positions -> { });
                    Thread.sleep(25);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!"a change".equals(target.redis().get("s:followed"))) {
                throw new IllegalStateException("the follow did not apply the source's change");
            }
        }
    }

    private static void moveFlag(RedisServer flag, FileSecretResolver secrets) {
        FlagSpec spec = new FlagSpec();
        spec.setEndpoint(endpoint(flag.uri(), "flag"));
        spec.setKey("migrate_user");
        ClientResources io = DefaultClientResources.create();
        try {
            RoutingFlag routing = new RoutingFlag(spec, secrets, io);
            if (routing.read() != null || !routing.compareAndSet(null, "1100").written()
                    || !routing.compareAndSet("1100", "1101").written() || !"1101".equals(routing.read())) {
                throw new IllegalStateException("the flag did not move from none to 1100 to 1101");
            }
        } finally {
            io.shutdown();
        }
    }

    private static DataMigrationSpec spec(RedisServer source, RedisServer target, Policy policy) {
        DataMigrationSpec spec = new DataMigrationSpec();
        spec.getSources().add(Copies.source("acl", source.uri()));
        spec.getSources().get(0).setEndpoint(endpoint(source.uri(), "source"));
        spec.setTarget(new io.keyferry.api.TargetSpec());
        spec.getTarget().setEndpoint(endpoint(target.uri(), "target"));
        spec.getPolicies().setDefaultPolicy(policy);
        spec.getWorker().setBatchSize(50);
        return spec;
    }

    private static EndpointSpec endpoint(String uri, String role) {
        EndpointSpec e = Copies.endpoint(uri);
        e.setUsernameSecretRef(new SecretKeyRef(role, "username"));
        e.setPasswordSecretRef(new SecretKeyRef(role, "password"));
        return e;
    }

    /** Runs a README line on the server, with the canary in place of CHANGE-ME. */
    private static void setUser(RedisServer server, String line) {
        String[] words = line.replace(">CHANGE-ME", ">" + Canary.PASSWORD).split(" ");
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
        for (int i = 1; i < words.length; i++) {
            args.add(words[i]);
        }
        server.redis().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
    }

    /** Every type, with TTLs, small and big (past 512 elements, and a string past 512 KiB), and a consumer group. */
    private static void load(RedisCommands<String, String> r) {
        for (int i = 0; i < 10; i++) {
            r.set("s:" + i, "v" + i);
            r.hset("h:" + i, Map.of("a", "1", "b", "2"));
            r.rpush("l:" + i, "x", "y");
            r.sadd("t:" + i, "p", "q");
            r.zadd("z:" + i, 1.5, "m");
            r.xadd("x:" + i, Map.of("f", "v"));
            r.pexpire("h:" + i, 600_000);
        }
        r.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from("x:0", "0-0"), "readers");
        for (int i = 0; i < 600; i++) {
            r.hset("big:hash", "f" + i, "v");
            r.rpush("big:list", "e" + i);
            r.sadd("big:set", "m" + i);
            r.zadd("big:zset", i, "m" + i);
            r.xadd("big:stream", Map.of("n", "" + i));
        }
        r.set("big:string", "b".repeat(600 << 10));
        r.pexpire("big:hash", 600_000);
    }

    static {
        DataType.values(); // the spec's policies name types
    }
}
