package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.EndpointSpec;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A migration's clean-up removes every key of KeyFerry's named for it (checkpoints and fences of every source and
 * part, of sources the spec no longer names too, sync positions, undo journal segments), on every master of a cluster,
 * and nothing else: not another migration's state (not one whose id merely starts with this one's), not a user's key
 * that merely starts with "keyferry:".
 */
class StateCleanupTest {
    private static final String UID = "0b6f1a52-4c3e-4d0a-9f1e-2a7c5b8e9d10";
    private static final List<String> OURS = List.of("keyferry:checkpoint:{" + UID + ":pika-0}",
            "keyferry:checkpoint:{" + UID + ":pika-0}:fence", "keyferry:checkpoint:{" + UID + ":redis-1:0/2}",
            "keyferry:checkpoint:{" + UID + ":redis-1:1/2}:fence", "keyferry:checkpoint:{" + UID + ":removed-source}",
            "keyferry:checkpoint:{" + UID + ":pika-0:follow}", "keyferry:undo:{" + UID + "}", "keyferry:undo:{" + UID + "}:17");
    private static final List<String> NOT_OURS = List.of("keyferry:checkpoint:{1c2d:pika-0}", "keyferry:settings",
            "keyferry:checkpoint:{" + UID + "0}", "user:1", "{" + UID + ":x}");

    @Test
    void removesThisMigrationsKeysAndNothingElse() {
        try (RedisServer target = RedisServer.start()) {
            write(target.redis()::set);

            long removed = StateCleanup.removeAll(endpoint(target.uri(), false), noSecrets(), UID);

            assertEquals(OURS.size(), removed);
            assertEquals(new TreeSet<>(NOT_OURS), new TreeSet<>(target.redis().keys("*")));
            assertEquals(0, StateCleanup.removeAll(endpoint(target.uri(), false), noSecrets(), UID),
                    "run again, it finds nothing more");
        }
    }

    @Test
    void removesThemFromEveryMasterOfACluster() {
        try (RedisCluster target = RedisCluster.start()) {
            write(target.redis()::set);
            assertTrue(target.nodesWithRole("master").stream().filter(n -> n.redis().dbsize() > 0).count() > 1,
                    "the keys are spread over the masters");

            assertEquals(OURS.size(), StateCleanup.removeAll(endpoint(target.uri(), true), noSecrets(), UID));
            Set<String> left = new TreeSet<>();
            target.nodesWithRole("master").forEach(n -> left.addAll(n.redis().keys("*")));
            assertEquals(new TreeSet<>(NOT_OURS), left);
        }
    }

    @Test
    void anUnreachableTargetIsAnErrorNamingIt() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> StateCleanup.removeAll(endpoint("redis://127.0.0.1:1/0", false), noSecrets(), UID));
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
    }

    @Test
    void anIdWithGlobCharactersMatchesOnlyItself() {
        assertEquals("keyferry:*{a\\*b\\?\\[c\\][:}]*", StateCleanup.pattern("a*b?[c]"));
    }

    private static void write(java.util.function.BiFunction<String, String, String> set) {
        OURS.forEach(k -> set.apply(k, "state"));
        NOT_OURS.forEach(k -> set.apply(k, "theirs"));
    }

    private static EndpointSpec endpoint(String uri, boolean cluster) {
        EndpointSpec e = Copies.endpoint(uri);
        e.setCluster(cluster);
        return e;
    }

    private static SecretResolver noSecrets() {
        return (ref, path) -> {
            throw new AssertionError("no Secret is needed: " + path);
        };
    }
}
