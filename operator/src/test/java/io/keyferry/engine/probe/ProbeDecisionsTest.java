package io.keyferry.engine.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyferry.api.EndpointSpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.copy.PairStrategy;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.peers.StoreDouble;
import org.junit.jupiter.api.Test;

/**
 * What the probe decides for each store, from how the real ones answered (the recordings, played by the store
 * doubles): one line per store, every decision that depends on it.
 */
class ProbeDecisionsTest {

    @Test
    void decidesFromTheRecordedAnswersOfEachStore() {
        try (RedisServer redis = RedisServer.start(); RedisServer behindPika = RedisServer.start();
             RedisServer behindKvrocks = RedisServer.start();
             StoreDouble pika = StoreDouble.pika(behindPika); StoreDouble kvrocks = StoreDouble.kvrocks(behindKvrocks)) {
            ServerProfile r = probe(redis.uri());
            ServerProfile p = probe(pika.uri());
            ServerProfile k = probe(kvrocks.uri());

            assertEquals("REDIS dump:true cursor:numeric ttl:ms match:glob hset:many zaddNx:true unlink:true"
                    + " smismember:true zmscore:true streams:true groups:true xsetid:true eval:true watch:true"
                    + " missingPttl:-2 pipeline:0/0", decisions(r));
            assertEquals("PIKA dump:false cursor:numeric ttl:s match:glob hset:one zaddNx:false unlink:false"
                    + " smismember:false zmscore:false streams:true groups:false xsetid:false eval:false watch:true"
                    + " missingPttl:0 pipeline:256/524288", decisions(p));
            assertEquals("KVROCKS dump:true cursor:numeric ttl:ms match:prefix hset:many zaddNx:true unlink:true"
                    + " smismember:true zmscore:false streams:true groups:true xsetid:true eval:true watch:true"
                    + " missingPttl:-2 pipeline:0/0", decisions(k));

            assertEquals("4.0.0 unstable", p.version() + " " + k.version());
            assertEquals(true, PairStrategy.choose(r, r).dumpRestore());
            assertEquals(false, PairStrategy.choose(k, r).dumpRestore(), "DUMP payloads only between Redis servers");
            assertEquals(false, PairStrategy.choose(p, r).consumerGroups(), "Pika's streams have no groups");
            assertEquals(true, PairStrategy.choose(k, r).consumerGroups());
        }
    }

    private static String decisions(ServerProfile s) {
        Commands c = s.commands();
        return s.kind() + " dump:" + s.dumpRestore() + " cursor:" + (s.numericScanCursor() ? "numeric" : "opaque")
                + " ttl:" + (s.ttlSeconds() ? "s" : "ms") + " match:" + (s.prefixOnlyMatch() ? "prefix" : "glob")
                + " hset:" + (c.multiFieldHset() ? "many" : "one") + " zaddNx:" + c.zaddNx() + " unlink:" + c.unlink()
                + " smismember:" + c.smismember() + " zmscore:" + c.zmscore() + " streams:" + c.streams()
                + " groups:" + c.consumerGroups() + " xsetid:" + c.xsetid() + " eval:" + c.eval()
                + " watch:" + c.transactions() + " missingPttl:" + c.missingKeyPttl()
                + " pipeline:" + c.pipelineCommands() + "/" + c.pipelineBytes();
    }

    private static ServerProfile probe(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        try (Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
             RedisLink link = endpoints.connect(e, "spec.target.endpoint", "target")) {
            return new Prober().probe(link);
        }
    }
}
