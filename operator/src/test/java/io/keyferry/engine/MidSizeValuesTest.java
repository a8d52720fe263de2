package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.testing.ChildJvm;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A keyspace of values each just under the big-key bounds (300 KiB strings, hashes of 100 fields of 16 KiB): every key
 * small by itself, a batch of 500 of them 150 MiB. `keyferry run`, `verify` and `undo` under -Xmx64m, where a batch
 * held whole does not fit: each batch holds a roomful ({@code BatchMemory}) and reads the rest after (the undo
 * journal's prior values past it in chunks); from the snapshot, batches are cut by their bytes too, and an entry that
 * outgrew the recording buffer is sealed before it is handed on (a 300 KiB string's RESTORE was built from the array
 * the sealing had replaced).
 */
class MidSizeValuesTest {
    private static final int STRINGS = 300;
    private static final int HASHES = 20;

    @Test
    void copiesVerifiesAndUndoesManyValuesNearTheBigKeyBoundsInASmallHeap() throws Exception {
        try (RedisServer source = RedisServer.withDebugCommand(); RedisServer target = RedisServer.withDebugCommand()) {
            load(source);
            String spec = "apiVersion: keyferry.io/v1alpha1\nkind: DataMigration\nmetadata: {name: midsize}\n"
                    + "spec:\n  sources: [{name: blobs, endpoint: {uri: \"" + source.uri() + "\"}}]\n"
                    + "  target: {endpoint: {uri: \"" + target.uri() + "\"}}\n"
                    + "  policies: {default: Overwrite}\n  verify: {mode: \"Off\"}\n";
            Path fromSnapshot = Files.writeString(Files.createTempFile("midsize-snapshot-", ".yaml"),
                    spec + "  worker: {backfill: Snapshot}\n");
            String snapshotState = Files.createTempDirectory("midsize-snapshot-state").toString();
            int keys = STRINGS + HASHES;

            // From the source's snapshot, whose entries are recorded whole and sealed, into an empty target.
            ChildJvm snapshotCopy = child("run", fromSnapshot, snapshotState);
            assertEquals(0, snapshotCopy.waitFor(300), snapshotCopy.output());
            assertTrue(snapshotCopy.output().contains("from the source's RDB snapshot"), snapshotCopy.output());
            assertEquals(digest(source), digest(target), "the target holds the source's data exactly");
            ChildJvm snapshotVerify = child("verify", fromSnapshot, snapshotState);
            assertEquals(0, snapshotVerify.waitFor(300), snapshotVerify.output());
            assertTrue(snapshotVerify.output().contains(keys + " keys checked, " + keys + " matched"), snapshotVerify.output());

            // By SCAN: a verification that finds what changed in the target, then a copy over it that keeps an undo journal.
            Path scan = Files.writeString(Files.createTempFile("midsize-", ".yaml"), spec + "  undo: {enabled: true}\n");
            String state = Files.createTempDirectory("midsize-state").toString();
            byte[] changed = source.binary().get(bytes("blob:" + (STRINGS - 3)));
            changed[changed.length / 2] ^= 1;
            target.binary().set(bytes("blob:" + (STRINGS - 3)), changed);
            target.binary().hset(bytes("doc:" + (HASHES - 2)), bytes("f7"), bytes("changed"));
            String before = digest(target);
            ChildJvm verify = child("verify", scan, state);
            assertEquals(1, verify.waitFor(300), verify.output());
            assertTrue(verify.output().contains(keys + " keys checked, " + (keys - 2) + " matched") && verify.output()
                    .contains("2 mismatched"), verify.output());
            assertTrue(verify.output().contains("blob:" + (STRINGS - 3)) && verify.output().contains("doc:" + (HASHES - 2)),
                    verify.output());

            ChildJvm copy = child("run", scan, state);
            assertEquals(0, copy.waitFor(300), copy.output());
            assertEquals(digest(source), digest(target), "the copy overwrote what had changed");
            ChildJvm undo = child("undo", scan, state);
            assertEquals(0, undo.waitFor(300), undo.output());
            assertEquals(before, digest(target), "the undo put every prior value back, the changed ones too");
        }
    }

    private static ChildJvm child(String command, Path manifest, String state) {
        return ChildJvm.start("64m", command, "-f", manifest.toString(), "--no-progress", "--state-dir", state);
    }

    private static void load(RedisServer server) {
        Random random = new Random(7);
        for (int i = 0; i < STRINGS; i++) {
            byte[] value = new byte[300 * 1024];
            random.nextBytes(value);
            server.binary().set(bytes("blob:" + i), value);
        }
        for (int i = 0; i < HASHES; i++) {
            Map<byte[], byte[]> fields = new HashMap<>();
            for (int f = 0; f < 100; f++) {
                byte[] value = new byte[16 * 1024];
                random.nextBytes(value);
                fields.put(bytes("f" + f), value);
            }
            server.binary().hset(bytes("doc:" + i), fields);
        }
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
