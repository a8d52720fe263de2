package io.keyferry.reconciler;

import static io.keyferry.reconciler.OperatorHarness.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.keyferry.api.DataMigration;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deleting a DataMigration with spec.cleanup: Delete leaves nothing of KeyFerry's in the target (a full SCAN finds no
 * key of its own, the user's keys are all there); with Keep (the default) the resource goes at once and the keys stay;
 * a target that cannot be reached holds the deletion, saying so, until keyferry.io/skip-cleanup lets it through.
 */
@EnableKubernetesMockClient(crud = true)
class CleanupOperatorTest {
    private static final int KEYS = 500;
    KubernetesClient client;

    @Test
    void deleteRemovesEveryKeyOfKeyFerrysAndKeepLeavesThem() {
        try (RedisServer source = RedisServer.start(); RedisServer cleaned = RedisServer.start();
             RedisServer kept = RedisServer.start(); RedisServer journal = RedisServer.start();
             OperatorHarness h = new OperatorHarness(client)) {
            seed(source.redis());
            cleaned.redis().set("user:0", "the target's own"); // a prior state for the undo journal
            DataMigration delete = h.apply(manifest("cleaned", "Delete", source, cleaned)
                    + "  undo: {enabled: true, store: {uri: \"" + journal.uri() + "\"}}\n");
            h.apply(manifest("kept", "Keep", source, kept) + "  undo: {enabled: true}\n");
            // What an earlier version of the spec left: the checkpoint of a source it no longer names.
            cleaned.redis().set("keyferry:checkpoint:{" + delete.getMetadata().getUid() + ":dropped-source}", "{}");
            for (String name : List.of("cleaned", "kept")) {
                DataMigration done = h.await(name, "Ready", Duration.ofSeconds(60), dm -> condition(dm, "Ready", "True"));
                assertEquals(List.of("datamigrations.keyferry.io/finalizer"), done.getMetadata().getFinalizers());
            }
            for (String name : List.of("cleaned", "kept")) {
                h.await(name, "its state removed", Duration.ofSeconds(60), dm -> dm.getStatus().getStateRemovedAt() != null);
            }
            // Finished: the operator removed the checkpoints it knows by name; one of a source the spec no longer names
            // is left to the finalizer's SCAN.
            assertEquals(List.of("keyferry:checkpoint:{" + delete.getMetadata().getUid() + ":dropped-source}"),
                    own(cleaned.redis()));
            assertTrue(own(journal.redis()).size() >= 2, "the undo journal, in its own store: " + own(journal.redis()));

            delete(h, "cleaned");
            delete(h, "kept");
            awaitGone(h, "cleaned");
            awaitGone(h, "kept");

            assertEquals(List.of(), own(cleaned.redis()), "a full SCAN finds nothing of KeyFerry's");
            assertEquals(List.of(), own(journal.redis()), "nor in the journal's store");
            assertEquals(KEYS, cleaned.redis().dbsize(), "and every key of the user's");
            assertTrue(!own(kept.redis()).isEmpty() && own(kept.redis()).stream().allMatch(k -> k.startsWith("keyferry:undo:")),
                    "Keep leaves the undo journal: " + own(kept.redis()));
            assertTrue(reasons(h, "cleaned").contains("CleanedUp"), reasons(h, "cleaned").toString());
            assertTrue(client.configMaps().inNamespace(OperatorHarness.NS)
                    .withLabel(WorkerJobs.MIGRATION_LABEL, delete.getMetadata().getUid()).list().getItems().isEmpty());
        }
    }

    @Test
    void anUnreachableTargetHoldsTheDeletionUntilTheSkipAnnotation() {
        try (RedisServer source = RedisServer.start(); OperatorHarness h = new OperatorHarness(client)) {
            seed(source.redis());
            RedisServer target = RedisServer.start();
            h.apply(manifest("lost", "Delete", source, target));
            h.await("lost", "Ready", Duration.ofSeconds(60), dm -> condition(dm, "Ready", "True"));
            target.close(); // the target is gone for good

            delete(h, "lost");
            DataMigration held = awaitEvent(h, "lost", "CleanupFailed");
            assertNotNull(held.getMetadata().getDeletionTimestamp(), "the deletion waits");
            String message = h.events("lost").stream().filter(e -> e.getReason().equals("CleanupFailed")).findFirst()
                    .orElseThrow().getMessage();
            assertTrue(message.contains(target.uri().replace("redis://", "").replaceAll("/.*", ""))
                    && message.contains("keyferry.io/skip-cleanup=true"), message);

            client.resources(DataMigration.class).inNamespace(OperatorHarness.NS).withName("lost")
                    .edit(dm -> {
                        dm.getMetadata().setAnnotations(Map.of("keyferry.io/skip-cleanup", "true"));
                        return dm;
                    });
            awaitGone(h, "lost");
            assertTrue(reasons(h, "lost").contains("CleanupSkipped"), reasons(h, "lost").toString());
        }
    }

    private static String manifest(String name, String cleanup, RedisServer source, RedisServer target) {
        return """
                apiVersion: keyferry.io/v1alpha1
                kind: DataMigration
                metadata: {name: %s}
                spec:
                  sources: [{name: a, endpoint: {uri: "%s"}}]
                  target: {endpoint: {uri: "%s"}}
                  verify: {mode: "Off"}
                  cleanup: %s
                """.formatted(name, source.uri(), target.uri(), cleanup);
    }

    private static void seed(RedisCommands<String, String> r) {
        for (int i = 0; i < KEYS; i++) {
            r.set("user:" + i, "v" + i);
        }
    }

    /** Every key of KeyFerry's, by a full SCAN. */
    static List<String> own(RedisCommands<String, String> r) {
        List<String> found = new ArrayList<>();
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
            io.lettuce.core.KeyScanCursor<String> page = r.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(200));
            page.getKeys().stream().filter(k -> k.startsWith("keyferry:")).forEach(found::add);
            cursor = page;
        } while (!cursor.isFinished());
        return found;
    }

    private void delete(OperatorHarness h, String name) {
        client.resources(DataMigration.class).inNamespace(OperatorHarness.NS).withName(name).delete();
    }

    private static void awaitGone(OperatorHarness h, String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (h.get(name) != null) {
            if (System.nanoTime() > deadline) {
                fail(name + " was not deleted; events: " + h.events(name).stream()
                        .map(e -> e.getReason() + ": " + e.getMessage()).toList());
            }
            OperatorHarness.sleep(100);
        }
    }

    private static DataMigration awaitEvent(OperatorHarness h, String name, String reason) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!reasons(h, name).contains(reason)) {
            if (System.nanoTime() > deadline) {
                fail("no " + reason + " event for " + name + ": " + reasons(h, name));
            }
            OperatorHarness.sleep(100);
        }
        return h.get(name);
    }

    static List<String> reasons(OperatorHarness h, String name) {
        return h.events(name).stream().map(e -> e.getReason()).toList();
    }
}
