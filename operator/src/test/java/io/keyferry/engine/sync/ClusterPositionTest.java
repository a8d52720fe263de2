package io.keyferry.engine.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.engine.redis.RedisLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cluster's follow position: each master's by its lowest slot, kept as one string, and continued only where the
 * cluster still has masters with those lowest slots (otherwise every master starts from now and the position is lost).
 */
class ClusterPositionTest {
    private static final String A = "8f1e6c2b9a0d4e7f8a1b2c3d4e5f60718293a4b5";

    @Test
    void aClusterPositionIsEachMastersAndDecodesBackWhatItEncoded() {
        Map<Integer, Position> masters = new LinkedHashMap<>();
        masters.put(0, new Position(A, 1200));
        masters.put(5461, new Position(A.replace('8', '9'), 34));
        masters.put(10922, new Position(A.replace('a', 'b'), 0));
        Position p = Position.cluster(masters);
        assertEquals(1234, p.offset(), "the sum: how far behind is counted in the same unit");
        Position back = Position.decode(p.encode());
        assertEquals(p, back);
        assertEquals(masters, back.masters());
        assertFalse(back.inWal());
        assertTrue(Position.cluster(Map.of(0, Position.inWal(7))).inWal());
        assertNull(new Position(A, 5).masters(), "one server's position");
        assertNull(Position.decode("cluster/0=nonsense:5").masters(), "an unreadable one: every master starts afresh");
    }

    @Test
    void aSavedPositionContinuesOnlyOnMastersWithTheSameLowestSlots() {
        Position saved = Position.cluster(Map.of(0, new Position(A, 10), 8192, new Position(A, 20)));
        List<Position> asked = new ArrayList<>();
        ClusterChanges.MasterOpener open = (master, from) -> {
            asked.add(from);
            return new Fixed(from == null ? new Position(A, 99) : from);
        };
        try (ClusterChanges same = ClusterChanges.open(masters(0, 8192), saved, open)) {
            assertTrue(same.resumed());
            assertEquals(List.of(new Position(A, 10), new Position(A, 20)), asked);
            assertEquals(saved.masters(), same.start().masters());
        }
        asked.clear();
        try (ClusterChanges resharded = ClusterChanges.open(masters(0, 5461, 10922), saved, open)) {
            assertFalse(resharded.resumed(), "a master added: the position is lost, the target is verified with repair");
            assertEquals(java.util.Arrays.asList(null, null, null), asked, "every master from now");
            assertEquals(297, resharded.start().offset());
        }
    }

    private static List<RedisLink.Shard> masters(int... firstSlots) {
        List<RedisLink.Shard> out = new ArrayList<>();
        for (int slot : firstSlots) {
            out.add(new RedisLink.Shard(slot, null, "127.0.0.1:" + (7000 + slot)));
        }
        return out;
    }

    /** A master's changes that stand still: it continues from any position asked for. */
    private record Fixed(Position start) implements ChangeSource {
        @Override
        public boolean resumed() {
            return true;
        }

        @Override
        public Changed next(long millis) throws InterruptedException {
            Thread.sleep(millis);
            return null;
        }

        @Override
        public void close() {}
    }
}
