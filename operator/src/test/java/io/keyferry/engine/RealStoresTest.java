package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.Datasets;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.StoreDouble;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What broke when KeyFerry first met real Kvrocks and Pika servers, played by store doubles that answer as the
 * recorded servers did (src/test/resources/peers): each test hung or failed before the fix.
 */
class RealStoresTest {

    /** Pika 4.0 never answers XINFO GROUPS (recorded): the copy hung on the first stream. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void copiesPikaStreamsByTheirEntriesAndLastIdWithoutAskingForGroups() {
        try (RedisServer behindPika = RedisServer.start(); StoreDouble pika = StoreDouble.pika(behindPika);
             RedisServer target = RedisServer.start()) {
            RedisCommands<String, String> p = behindPika.redis();
            for (int s = 0; s < 3; s++) {
                for (int i = 1; i <= 5; i++) {
                    p.xadd("events:" + s, new XAddArgs().id(i + "-" + s), Map.of("n", "" + i, "source", "pika"));
                }
            }
            p.set("plain", "string");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE);
            spec.getSources().add(Copies.source("pika", pika.uri()));

            CopyResult copied = Copies.run(spec);

            assertEquals(4, copied.keysScanned());
            RedisCommands<String, String> t = target.redis();
            for (int s = 0; s < 3; s++) {
                assertEquals(p.xrange("events:" + s, io.lettuce.core.Range.create("-", "+")).toString(),
                        t.xrange("events:" + s, io.lettuce.core.Range.create("-", "+")).toString());
                assertEquals("5-" + s, lastGeneratedId(t, "events:" + s));
            }
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
        }
    }

    /**
     * Kvrocks sends each ZMSCORE score as RESP inside a bulk string ("$18\r\n37393.029999999999\r\n", recorded), and
     * prints scores with 17 digits: verifying big sorted sets there failed with a NumberFormatException.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void verifiesBigSortedSetsInKvrocksComparingScoresAsNumbers() {
        try (RedisServer source = RedisServer.start(); RedisServer behindKvrocks = RedisServer.start();
             StoreDouble kvrocks = StoreDouble.kvrocks(behindKvrocks)) {
            RedisCommands<String, String> s = source.redis();
            for (int z = 0; z < 3; z++) {
                List<io.lettuce.core.ScoredValue<String>> members = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    members.add(io.lettuce.core.ScoredValue.just(37393.03 + i * 0.01 + z, "m" + i));
                }
                s.zadd("big:z" + z, members.toArray(new io.lettuce.core.ScoredValue[0]));
            }
            s.zadd("small:z", 0.1, "a", 2.5, "b", 1e-7, "c");
            DataMigrationSpec spec = Copies.spec(source, Policy.OVERWRITE);
            spec.getSources().clear();
            spec.getSources().add(Copies.source("redis", source.uri()));
            spec.getTarget().setEndpoint(Copies.endpoint(kvrocks.uri()));

            Copies.run(spec);
            VerifyResult verified = Copies.verify(spec, false);

            assertTrue(verified.clean(), verified.toString());
            assertEquals("37393.029999999999", behindKvrocks.redis().zscore("big:z0", "m0") == 37393.03
                    ? kvrocksScore(kvrocks, "big:z0", "m0") : "not copied");
        }
    }

    /**
     * Pika with its release's config stalled on a long pipelined load: into a Pika that stalls a connection which
     * sends more than {@link Commands#PIKA_PIPELINE_COMMANDS} commands (or bytes) before it reads a reply, 200,000
     * keys are copied and verified, and no connection ever went past the bound.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void copiesIntoAPikaThatStallsOnLongPipelines() {
        try (RedisServer source = RedisServer.start(); RedisServer behindPika = RedisServer.start();
             StoreDouble pika = StoreDouble.pika(behindPika)
                     .limitPipelines(Commands.PIKA_PIPELINE_COMMANDS, Commands.PIKA_PIPELINE_BYTES)) {
            Datasets.mixed(source, 200_000, 100); // every string with a TTL: one SET each, no MSET
            DataMigrationSpec spec = Copies.spec(source, Policy.OVERWRITE);
            spec.getSources().clear();
            spec.getSources().add(Copies.source("redis", source.uri()));
            spec.getTarget().setEndpoint(Copies.endpoint(pika.uri()));

            CopyResult copied = Copies.run(spec);
            VerifyResult verified = Copies.verify(spec, false);

            assertEquals(200_000, copied.keysScanned());
            assertEquals(200_000L, behindPika.redis().dbsize());
            assertTrue(verified.clean(), verified.toString());
            assertEquals(0, pika.stalls(), "connections stalled");
            assertTrue(pika.deepestPipeline() <= Commands.PIKA_PIPELINE_COMMANDS, "deepest " + pika.deepestPipeline());
            assertTrue(pika.deepestPipeline() > Commands.PIKA_PIPELINE_COMMANDS / 2, "pipelines were used: " + pika.deepestPipeline());
        }
    }

    private static String lastGeneratedId(RedisCommands<String, String> r, String key) {
        List<Object> info = r.xinfoStream(key);
        return String.valueOf(info.get(info.indexOf("last-generated-id") + 1));
    }

    private static String kvrocksScore(StoreDouble kvrocks, String key, String member) {
        try (StatefulRedisConnection<String, String> c = io.lettuce.core.RedisClient.create(kvrocks.uri()).connect()) {
            return c.sync().zrangeWithScores(key, 0, 0).isEmpty() ? "empty"
                    : new String((byte[]) c.sync().dispatch(io.lettuce.core.protocol.CommandType.ZSCORE,
                    new io.lettuce.core.output.ByteArrayOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                    new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).addKey(key).addValue(member)),
                    java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
