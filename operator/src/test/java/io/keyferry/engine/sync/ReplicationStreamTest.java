package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.EndpointSpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A replication stream reads ahead of its consumer at most its room of bytes (a batch's, {@code BatchMemory}), not
 * only 10,000 commands: 10,000 SETs of values up to 1 MiB each were held before. The rest waits in the source's output
 * buffer for this replica, and every change still comes, in order, once the consumer takes them.
 */
class ReplicationStreamTest {
    private static final int ROOM = 4 << 20;
    private static final int VALUE = 512 * 1024;
    private static final int SETS = 40;

    @Test
    void readsAheadOfItsConsumerAtMostItsRoomOfBytes() throws Exception {
        try (RedisServer source = RedisServer.start(); Endpoints endpoints = new Endpoints(new FileSecretResolver(null))) {
            source.redis().configSet("repl-diskless-sync-delay", "0");
            EndpointSpec spec = new EndpointSpec();
            spec.setUri(source.uri());
            try (ReplicationStream stream = ReplicationStream.open(endpoints.openRaw(spec, "spec.sources[0].endpoint", "source"),
                    null, ROOM)) {
                long start = stream.offset();
                List<byte[]> values = new ArrayList<>();
                Random random = new Random(3);
                for (int i = 0; i < SETS; i++) {
                    byte[] value = new byte[VALUE];
                    random.nextBytes(value);
                    values.add(value);
                    source.binary().set(("v:" + i).getBytes(StandardCharsets.UTF_8), value);
                }
                long written = Long.parseLong(source.redis().info("replication").lines()
                        .filter(l -> l.startsWith("master_repl_offset:")).findFirst().orElseThrow().split(":")[1].strip());
                for (int tries = 0; tries < 100 && stream.offset() == start; tries++) {
                    Thread.sleep(100); // a diskless replica is sent the stream after its first acknowledgement (1 s)
                }
                long seen = -1;
                for (int tries = 0; tries < 50 && stream.offset() != seen && stream.offset() < written; tries++) {
                    seen = stream.offset(); // until the reading waits for room (or, unbounded, has read everything)
                    Thread.sleep(200);
                }

                long ahead = stream.offset() - start;
                assertTrue(ahead <= ROOM + VALUE + 1024, ahead + " bytes read ahead of the consumer, the room is " + ROOM);
                assertTrue(stream.offset() < written, "the rest waits in the source's output buffer");
                List<Change> sets = new ArrayList<>();
                while (sets.size() < SETS) {
                    Change c = stream.next(10_000);
                    assertNotNull(c, "every change comes once they are taken: " + sets.size() + " of " + SETS);
                    if (c.is("SET")) {
                        sets.add(c);
                    }
                }
                for (int i = 0; i < SETS; i++) {
                    assertEquals("v:" + i, sets.get(i).arg(1));
                    assertArrayEquals(values.get(i), sets.get(i).args()[2], "v:" + i);
                }
                assertEquals(written, stream.offset());
            }
        }
    }
}
