package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Collections whose elements are big (documents in a hash, pages in a list, long members), under -Xmx64m: a count
 * bounds a chunk in elements, not bytes, so a chunk asks for as many as fit 1 MiB (HSCAN of 500 fields of 64 KiB was
 * 32 MiB a reply), and a key small by its count but bigger than a batch's room (80 fields of 256 KiB: a 20 MiB DUMP,
 * past what the reader takes at once) is read off the socket and dropped, then copied and compared in chunks.
 * `keyferry run` with an undo journal, `verify` and `undo`, each in a child JVM.
 */
class BigElementsTest {
    @Test
    void copiesVerifiesAndUndoesCollectionsOfBigElementsInASmallHeap() throws Exception {
        try (RedisServer source = RedisServer.withDebugCommand(); RedisServer target = RedisServer.withDebugCommand()) {
            Random random = new Random(11);
            load(source.binary(), random);
            target.binary().hset(bytes("docs"), Map.of(bytes("old"), value(random, 300 * 1024))); // the undo reads it back
            String before = digest(target);
            Path manifest = Files.writeString(Files.createTempFile("big-elements-", ".yaml"),
                    "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: bigelements}\n"
                    + "spec:\n  sources: [{name: docs, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                    + "  policies: {default: Overwrite}\n  verify: {mode: \"Off\"}\n  undo: {enabled: true}\n");
            String state = Files.createTempDirectory("big-elements-state").toString();

            ChildJvm copy = child("run", manifest, state);
            assertEquals(0, copy.waitFor(300), copy.output());
            assertEquals(digest(source), digest(target), "the target holds the source's data exactly");

            ChildJvm verify = child("verify", manifest, state);
            assertEquals(0, verify.waitFor(300), verify.output());
            assertTrue(verify.output().contains("6 keys checked, 6 matched"), verify.output());

            ChildJvm undo = child("undo", manifest, state);
            assertEquals(0, undo.waitFor(300), undo.output());
            assertEquals(before, digest(target), "the undo put the prior hash back and removed the rest");
        }
    }

    private static void load(RedisCommands<byte[], byte[]> s, Random random) {
        for (int i = 0; i < 80; i++) { // small by its count, 20 MiB
            s.hset(bytes("docs"), bytes("doc:" + i), value(random, 256 * 1024));
        }
        for (int i = 0; i < 600; i++) { // big by its count, 37.5 MiB
            s.hset(bytes("wide"), bytes("f" + i), value(random, 64 * 1024));
        }
        for (int i = 0; i < 60; i++) {
            s.rpush(bytes("pages"), value(random, 256 * 1024));
        }
        for (int i = 0; i < 600; i++) {
            s.zadd(bytes("board"), random.nextInt(1000), value(random, 16 * 1024));
            s.sadd(bytes("tags"), value(random, 16 * 1024));
            s.xadd(bytes("events"), new XAddArgs(), Map.of(bytes("body"), value(random, 32 * 1024)));
        }
    }

    private static ChildJvm child(String command, Path manifest, String state) {
        return ChildJvm.start("64m", command, "-f", manifest.toString(), "--no-progress", "--state-dir", state);
    }

    private static byte[] value(Random random, int size) {
        byte[] value = new byte[size];
        random.nextBytes(value);
        return value;
    }

    /** DEBUG DIGEST: a hash of the whole dataset, equal exactly when the datasets are. */
    private static String digest(RedisServer server) {
        return server.redis().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("DIGEST"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
