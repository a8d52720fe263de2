package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataType;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.PolicySpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Strings are not sized before they are read: the whole read is a bounded GETRANGE, and the batch settles
 * what that cannot tell apart (a big string, an empty string, a key gone since it was decided).
 */
class StringReadTest {

    @Test
    void aBoundedReadSettlesBigEmptyAndVanishedStringsBeforeTheBatchIsJournaled() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start();
             Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
             RedisLink src = endpoints.connect(endpoint(source.uri()), "spec.sources[0].endpoint", "source");
             RedisLink tgt = endpoints.connect(endpoint(target.uri()), "spec.target.endpoint", "target")) {
            String big = "x".repeat(BatchCopier.SMALL_STRING_BYTES + 1);
            source.redis().set("big", big);
            source.redis().set("empty", "");
            source.redis().set("small", "v");
            source.redis().set("vanishing", "soon gone");
            source.redis().set("emptied", "");
            source.redis().hset("hash", "f", "v");
            ServerProfile sourceProfile = new Prober().probe(src);
            ServerProfile targetProfile = new Prober().probe(tgt);
            BatchCopier copier = new BatchCopier("source", new BatchCopier.Links(src, tgt), targetProfile,
                    key -> endpoints.openRaw(endpoint(target.uri()), "spec.target.endpoint", "target"),
                    new PolicySpec(), PairStrategy.choose(sourceProfile, targetProfile), null);

            List<Decision> decided = copier.decide(pairs("big", "empty", "small", "vanishing", "emptied", "hash"));
            for (Decision d : decided) {
                assertFalse(d.type() == DataType.STRING && (d.dump() || d.chunked()), "a string is decided unsized: " + d);
            }
            assertTrue(decided.get(5).dump(), "a small hash still travels as DUMP/RESTORE");
            source.redis().del("vanishing");
            source.redis().del("emptied");

            BatchCopier.Prepared read = copier.read(decided, false);

            Decision bigNow = read.decisions().get(0);
            assertTrue(bigNow.chunked(), "the overflowing read made it a big string, as journaled: " + bigNow);
            assertEquals(big.length(), bigNow.sourceSize());
            assertEquals(List.of(bigNow), read.chunked());
            Counters written = copier.write(read, new ArrayList<>());

            assertEquals(big, target.redis().get("big"));
            assertEquals("", target.redis().get("empty"));
            assertEquals("v", target.redis().get("small"));
            assertEquals("v", target.redis().hget("hash", "f"));
            assertEquals(0, target.redis().exists("vanishing", "emptied"), "a key gone since TYPE is not created empty");
            assertEquals(4, written.keysWritten());
        }
    }

    @Test
    void aStringKeepsItsExpiry() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            source.redis().psetex("ttl", 600_000, "v");
            try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
                 RedisLink src = endpoints.connect(endpoint(source.uri()), "spec.sources[0].endpoint", "source");
                 RedisLink tgt = endpoints.connect(endpoint(target.uri()), "spec.target.endpoint", "target")) {
                ServerProfile sp = new Prober().probe(src);
                ServerProfile tp = new Prober().probe(tgt);
                BatchCopier copier = new BatchCopier("source", new BatchCopier.Links(src, tgt), tp, key -> null,
                        new PolicySpec(), PairStrategy.choose(sp, tp), null);
                copier.execute(copier.decide(pairs("ttl")), false, new ArrayList<>());
            }
            long ttl = target.redis().pttl("ttl");
            assertTrue(ttl > 590_000 && ttl <= 600_000, "expiry kept: " + ttl);
            assertEquals("v", target.redis().get("ttl"));
        }
    }

    private static List<BatchCopier.KeyPair> pairs(String... keys) {
        List<BatchCopier.KeyPair> pairs = new ArrayList<>();
        for (String k : keys) {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            pairs.add(new BatchCopier.KeyPair(b, b));
        }
        return pairs;
    }

    private static EndpointSpec endpoint(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        return e;
    }
}
