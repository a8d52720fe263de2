package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.copy.GuardedCopy;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.VirtualClock;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * spec.worker.batchSize (2,000 by default) and where a copy takes fewer keys at a time: under a rate limit a batch
 * holds at most a second of it, and a guarded copy (DualWrite) at most {@link GuardedCopy#BATCH_AT_MOST}, its writes
 * being one transaction. Counted in SCAN pages (the progress after each) and in the servers' own command counts.
 */
class BatchSizeTest {
    private static final int KEYS = 6_000;

    @Test
    void anUnpacedCopyScansTheDefaultBatchAtATime() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = loaded(source, target);
            assertEquals(2000, spec.getWorker().getBatchSize(), "the default batch");
            List<Long> pages = copy(spec, m -> { });
            assertEquals((long) KEYS, target.redis().dbsize());
            assertTrue(pages.stream().anyMatch(p -> p > 1000), "pages: " + pages);
            assertTrue(source.calls("scan") <= KEYS / 1000 + 3, "SCAN calls (the probe's too): " + source.calls("scan"));
        }
    }

    @Test
    void aPacedCopyScansAtMostASecondOfTheLimitAtATime() throws Exception {
        int rate = 400;
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = loaded(source, target);
            spec.getWorker().getRateLimit().setKeysPerSecond(rate);
            List<Long> pages = copy(spec, m -> { });
            assertEquals((long) KEYS, target.redis().dbsize());
            pages.forEach(p -> assertTrue(p <= 2 * rate, "a SCAN page held " + p + " keys under a limit of " + rate + " a second"));
            assertTrue(source.calls("scan") >= KEYS / (2 * rate), "SCAN calls: " + source.calls("scan"));
        }
    }

    @Test
    void aGuardedCopyWritesAtMostItsTransactionsBatchAtATime() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = loaded(source, target);
            List<Long> pages = copy(spec, Migration::guardingWrites);
            assertEquals((long) KEYS, target.redis().dbsize());
            pages.forEach(p -> assertTrue(p <= 2 * GuardedCopy.BATCH_AT_MOST, "a guarded SCAN page held " + p + " keys"));
            long transactions = target.calls("exec");
            assertTrue(transactions >= KEYS / (2 * GuardedCopy.BATCH_AT_MOST), "EXEC calls: " + transactions);
        }
    }

    /**
     * The writer awaits each batch's replies in a nap ({@link io.keyferry.engine.redis.ReplyNap}), counted on its
     * connection: strings with an expiry, one SET each, so a batch is 2,000 commands.
     */
    @Test
    void theWriterAwaitsEveryBatchsReplies() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("naps"));
             Migration m = new Migration("naps", loaded(source, target), new FileSecretResolver(null), store)) {
            for (int i = 0; i < KEYS; i++) {
                source.redis().expire("k:" + i, 3600);
            }
            m.prepare();
            m.copy(p -> { });

            assertEquals((long) KEYS, target.redis().dbsize());
            long awaited = ((io.keyferry.engine.redis.RespConnection) m.target().pipe()).longPipelinesAwaited();
            assertTrue(awaited >= KEYS / 2000, "a batch of 2,000 keys' replies awaited at a time: " + awaited);
        }
    }

    /**
     * Names of 4 KiB (URLs as cache keys): a page asks for as many as fit 512 KiB of names, so a batch (its commands,
     * its checkpoint) holds about 2 MiB of them at most, not 8.
     */
    @Test
    void longKeyNamesMakeSmallerPages() throws Exception {
        int nameBytes = 4096;
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = loaded(source, target, 3_000, "x".repeat(nameBytes - 10));
            List<Long> pages = copy(spec, m -> { });
            assertEquals(3_000L, target.redis().dbsize());
            int fit = io.keyferry.engine.copy.SourceScan.PAGE_KEY_BYTES / nameBytes;
            pages.forEach(p -> assertTrue(p <= 2 * fit, "a page of " + p + " names of " + nameBytes + " bytes"));
            assertTrue(source.calls("scan") >= 3_000 / (2 * fit), "SCAN calls: " + source.calls("scan"));
        }
    }

    private static DataMigrationSpec loaded(RedisServer source, RedisServer target) {
        return loaded(source, target, KEYS, "k:");
    }

    private static DataMigrationSpec loaded(RedisServer source, RedisServer target, int keys, String prefix) {
        for (int from = 0; from < keys; from += 500) {
            java.util.Map<String, String> kv = new java.util.LinkedHashMap<>();
            for (int i = from; i < Math.min(keys, from + 500); i++) {
                kv.put(prefix + i, "v" + i);
            }
            source.redis().mset(kv);
        }
        return Copies.spec(target, Policy.OVERWRITE, source);
    }

    /** Copies; returns the keys scanned between progress reports (a SCAN page each). */
    private static List<Long> copy(DataMigrationSpec spec, Consumer<Migration> how) throws Exception {
        VirtualClock clock = new VirtualClock();
        List<Long> scanned = new ArrayList<>(List.of(0L));
        try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("batch"));
             Migration m = new Migration("batch", spec, new FileSecretResolver(null), store).pacedBy(clock)) {
            how.accept(m);
            m.prepare();
            m.copy(p -> scanned.add(p.keysScanned()));
        }
        List<Long> pages = new ArrayList<>();
        for (int i = 1; i < scanned.size(); i++) {
            pages.add(scanned.get(i) - scanned.get(i - 1));
        }
        return pages;
    }
}
