package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.keyferry.api.Policy;
import io.keyferry.api.PolicySpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.keyferry.testing.peers.Dialect;
import io.keyferry.testing.peers.StoreDouble;
import io.keyferry.testing.peers.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An application write that lands between KeyFerry's read of the source and its write of the target: the
 * application writes the old store, then the new one, right after the source answered KeyFerry's read (a source in
 * front of which a double plays that moment). Unguarded, the copy would then put the older value back into the new
 * store; guarded, its EXEC is refused, and the key is copied again with the application's value.
 */
class GuardedCopyTest {
    private static final Set<String> VALUE_READS = Set.of("HGETALL", "GET", "GETRANGE", "SMEMBERS", "LRANGE", "ZRANGE",
            "HSCAN", "SSCAN", "ZSCAN", "DUMP");

    @Test
    void aRepairRacedByTheApplicationIsNotWrittenAndIsCopiedAgainWithTheNewerValue() {
        try (Pair p = new Pair("hash:1")) {
            p.source.redis().hset("hash:1", Map.of("a", "1", "b", "1"));
            p.target.redis().hset("hash:1", Map.of("a", "0"));

            Counters done = new GuardedCopy(p.copier(Policy.OVERWRITE)).copyKey(
                    new BatchCopier.KeyPair(bytes("hash:1"), bytes("hash:1")), d -> true, new ArrayList<>());

            assertNotNull(done, "copied on a later attempt");
            assertEquals(1, p.races.get(), "the application wrote once, between the read and the write");
            assertEquals("hash:{a=2, b=1}", Values.of(p.target.redis(), "hash:1"));
            assertEquals(Values.of(p.source.redis(), "hash:1"), Values.of(p.target.redis(), "hash:1"));
        }
    }

    @Test
    void aBackfillBatchRacedByTheApplicationIsCopiedAgainKeyByKeyUnderFill() {
        try (Pair p = new Pair("hash:7")) {
            for (int i = 0; i < 20; i++) {
                p.source.redis().hset("hash:" + i, Map.of("a", "1", "b", "1"));
            }
            List<BatchCopier.KeyPair> keys = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                keys.add(new BatchCopier.KeyPair(bytes("hash:" + i), bytes("hash:" + i)));
            }
            List<Decision> journaled = new ArrayList<>();

            Counters done = new GuardedCopy(p.copier(Policy.FILL)).copy(keys, journaled::addAll, new ArrayList<>());

            assertEquals(20, journaled.size(), "the batch's decisions were journaled before anything was written");
            assertEquals(1, p.races.get());
            assertEquals(20, done.keysWritten());
            for (int i = 0; i < 20; i++) {
                assertEquals(Values.of(p.source.redis(), "hash:" + i), Values.of(p.target.redis(), "hash:" + i), "hash:" + i);
            }
            assertEquals("hash:{a=2, b=1}", Values.of(p.target.redis(), "hash:7"));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A source (behind a double) whose first read of {@code raced}'s value is followed at once by the application's
     * write of it, HSET a 2, to the source and then to the target, before the reply reaches KeyFerry.
     */
    private static final class Pair implements AutoCloseable {
        final RedisServer source = RedisServer.start();
        final RedisServer target = RedisServer.start();
        final AtomicInteger races = new AtomicInteger();
        final StoreDouble racing;
        final Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
        final List<RedisLink> links = new ArrayList<>();

        Pair(String raced) {
            racing = StoreDouble.of(new Dialect() {
                @Override
                public Step handle(List<byte[]> cmd) {
                    String name = Wire.text(cmd.get(0)).toUpperCase(java.util.Locale.ROOT);
                    boolean read = cmd.size() > 1 && VALUE_READS.contains(name) && raced.equals(Wire.text(cmd.get(1)));
                    return Forward.of(cmd, reply -> {
                        if (read && races.compareAndSet(0, 1)) {
                            source.redis().hset(raced, "a", "2");
                            target.redis().hset(raced, "a", "2");
                        }
                        return reply;
                    });
                }

                @Override
                public String store() {
                    return "redis";
                }
            }, source);
        }

        BatchCopier copier(Policy policy) {
            RedisLink src = link(racing.uri());
            RedisLink tgt = link(target.uri());
            ServerProfile sourceProfile = new Prober().probe(src);
            ServerProfile targetProfile = new Prober().probe(tgt);
            PolicySpec policies = new PolicySpec();
            policies.setDefaultPolicy(policy);
            return new BatchCopier("source", new BatchCopier.Links(src, tgt), targetProfile,
                    key -> endpoints.openRaw(CopyFixture.endpoint(target.uri()), "spec.target.endpoint", "target"),
                    policies, PairStrategy.choose(sourceProfile, targetProfile), null);
        }

        private RedisLink link(String uri) {
            RedisLink link = endpoints.connect(CopyFixture.endpoint(uri), "spec.target.endpoint", "endpoint");
            links.add(link);
            return link;
        }

        @Override
        public void close() {
            links.forEach(RedisLink::close);
            endpoints.close();
            racing.close();
            source.close();
            target.close();
        }
    }
}
