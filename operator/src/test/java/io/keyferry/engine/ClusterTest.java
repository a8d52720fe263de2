package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.KeySelector;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisCluster;
import io.keyferry.testing.RedisServer;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A Redis Cluster as source (every master scanned) and as target (every key on its slot's node). */
class ClusterTest {
    private static final int KEYS = 3000;

    @Test
    void copiesFromEveryMasterOfAClusterAndVerifies() {
        try (RedisCluster source = RedisCluster.start(); RedisServer target = RedisServer.start()) {
            fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("cluster", source.uri()));
            spec.getSources().get(0).getEndpoint().setCluster(true);

            CopyResult copied = Copies.run(spec);

            assertEquals(KEYS + 2, target.redis().dbsize());
            assertEquals(KEYS + 2, copied.keysScanned(), "each master scanned once");
            assertEquals(200_000, target.redis().hlen("big:hash"));
            assertEquals(3L << 20, target.redis().strlen("big:string"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
            assertEquals(KEYS + 2, verified.keysChecked());
        }
    }

    @Test
    void writesEveryKeyToItsSlotsNodeAndVerifies() {
        try (RedisServer source = RedisServer.withoutDumpRestore(); RedisCluster target = RedisCluster.start()) {
            fill(source.redis());
            DataMigrationSpec spec = Copies.spec(target.nodes().get(0), Policy.OVERWRITE, source);
            spec.getTarget().getEndpoint().setCluster(true);

            Copies.run(spec);

            assertEquals(KEYS + 2, target.nodes().stream().mapToLong(n -> n.redis().dbsize()).sum());
            assertTrue(target.nodes().stream().allMatch(n -> n.redis().dbsize() > KEYS / 5), "spread over the masters");
            assertEquals("v:8", target.redis().get("s:8"));
            assertEquals(3L << 20, target.redis().strlen("big:string"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
        }
    }

    /**
     * Slots move between target masters while the copy writes (as redis-cli --cluster reshard moves them): writes
     * that meet MOVED or ASK are followed to the slot's new node, and the copy ends complete and verified.
     */
    @Test
    void keepsCopyingIntoAClusterThatIsReshardedMeanwhile() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisCluster target = RedisCluster.start()) {
            fillWith(source.redis()::set, source.redis()::hset, source.redis()::rpush, source.redis()::zadd);
            DataMigrationSpec spec = Copies.spec(target.nodes().get(0), Policy.OVERWRITE, source);
            spec.getTarget().getEndpoint().setCluster(true);
            spec.getWorker().setBatchSize(200);
            spec.getWorker().getRateLimit().setKeysPerSecond(KEYS / 6);   // about 6 seconds of copying

            RedisServer from = target.nodes().get(0);
            RedisServer to = target.nodes().get(1);
            long slotsBefore = target.slotsOf(to).count();
            CompletableFuture<Void> reshard = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                target.moveSlots(from, to, 2000);
            });
            CopyResult result = Copies.run(spec);
            reshard.join();

            assertEquals(slotsBefore + 2000, target.slotsOf(to).count(), "slots moved during the copy");
            assertTrue(result.elapsedMillis() > 3000, "the copy was still running when slots began to move");
            assertEquals(KEYS, result.keysScanned());
            assertEquals(KEYS, target.nodes().stream().mapToLong(n -> n.redis().dbsize()).sum());
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
        }
    }

    @Test
    void scansEveryMasterOnceAndResumesFromAnyCursor() {
        try (RedisCluster cluster = RedisCluster.start();
             Endpoints endpoints = new Endpoints(new FileSecretResolver(null))) {
            for (int i = 0; i < 1000; i++) {
                cluster.redis().set("k:" + i, "v");
            }
            EndpointSpec endpoint = Copies.endpoint(cluster.uri());
            endpoint.setCluster(true);
            try (RedisLink link = endpoints.connect(endpoint, "spec.sources[0].endpoint", "source")) {
                SourceScan scan = new SourceScan(link,
                        new Prober().probe(link), new KeySelector(), 100);
                List<String> cursors = new ArrayList<>();
                Set<String> all = new HashSet<>();
                String cursor = "0";
                SourceScan.Page page;
                do {
                    page = scan.next(cursor);
                    page.keys().forEach(k -> all.add(new String(k)));
                    cursors.add(page.cursor());
                    cursor = page.cursor();
                } while (!page.finished());
                assertEquals(1000, all.size(), "every key of every master");
                assertEquals(3, cursors.stream().map(c -> c.substring(0, c.indexOf(':'))).distinct().count(), "three masters");

                String middle = cursors.get(cursors.size() / 2);
                Set<String> rest = new HashSet<>();
                cursor = middle;
                do {
                    page = scan.next(cursor);
                    page.keys().forEach(k -> rest.add(new String(k)));
                    cursor = page.cursor();
                } while (!page.finished());
                assertTrue(!rest.isEmpty() && rest.size() < 1000 && all.containsAll(rest), "resumes part way: " + rest.size());
            }
        }
    }

    @Test
    void refusesAClusterThatIsNotDeclaredSo() {
        try (RedisCluster cluster = RedisCluster.start(); RedisServer target = RedisServer.start()) {
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("cluster", cluster.uri()));

            MigrationInputException e = assertThrows(MigrationInputException.class,
                    () -> Copies.run(spec));
            assertTrue(e.getMessage().contains("set spec.sources[0].endpoint.cluster: true"), e.getMessage());
        }
    }

    private static void fill(RedisAdvancedClusterCommands<String, String> r) {
        fillWith(r::set, r::hset, r::rpush, r::zadd);
        bigKeys(r::hset, r::set);
    }

    private static void fill(RedisCommands<String, String> r) {
        fillWith(r::set, r::hset, r::rpush, r::zadd);
        bigKeys(r::hset, r::set);
    }

    private interface Set3 { Object apply(String k, String v); }
    private interface HSet { Object apply(String k, Map<String, String> m); }
    private interface Push { Object apply(String k, String[] v); }
    private interface ZAdd { Object apply(String k, ScoredValue<String>[] v); }

    @SuppressWarnings("unchecked")
    private static void fillWith(Set3 set, HSet hset, Push rpush, ZAdd zadd) {
        for (int i = 0; i < KEYS; i++) {
            switch (i % 4) {
                case 0 -> set.apply("s:" + i, "v:" + i);
                case 1 -> hset.apply("h:" + i, Map.of("a", "1", "b", String.valueOf(i)));
                case 2 -> rpush.apply("l:" + i, new String[] {"x", "y" + i});
                default -> zadd.apply("z:" + i, new ScoredValue[] {ScoredValue.just(i, "m")});
            }
        }
    }

    private static void bigKeys(HSet hset, Set3 set) {
        for (int i = 0; i < 200_000; i += 1000) {
            Map<String, String> fields = new HashMap<>();
            for (int j = i; j < i + 1000; j++) {
                fields.put("f" + j, "v" + j);
            }
            hset.apply("big:hash", fields);
        }
        set.apply("big:string", "z".repeat(3 << 20));
    }
}
