package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.Policy;
import io.keyferry.testing.RedisServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys that expire while they are copied must not come back to life without a TTL. */
class ExpiryTest {

    @Test
    void aBigKeyExpiringDuringItsCopyLeavesNoImmortalCopy() throws InterruptedException {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            for (int i = 0; i < 300_000; i += 1000) {
                Map<String, String> fields = new HashMap<>();
                for (int j = i; j < i + 1000; j++) {
                    fields.put("f" + j, "v" + j);
                }
                source.redis().hset("expiring:hash", fields);
            }
            source.redis().set("expiring:small", "x");
            source.redis().pexpire("expiring:small", 150);
            source.redis().pexpire("expiring:hash", 150);

            Copies.run(Copies.spec(target, Policy.OVERWRITE, source));

            long hashTtl = target.redis().pttl("expiring:hash");
            assertTrue(hashTtl == -2 || (hashTtl >= 0 && hashTtl <= 150), "copied only with the source's expiry: " + hashTtl);
            Thread.sleep(300);
            assertEquals(0, target.redis().exists("expiring:hash", "expiring:small"), "both expired in the target too");
        }
    }

    @Test
    void mergeKeepsTheLaterExpiryOfTheTwo() {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            source.redis().hset("h", "a", "1");
            source.redis().pexpire("h", 20_000);
            target.redis().hset("h", "b", "2");
            target.redis().pexpire("h", 60_000);

            Copies.run(Copies.spec(target, Policy.MERGE, source));

            long ttl = target.redis().pttl("h");
            assertTrue(ttl > 55_000 && ttl <= 60_000, "the target's later expiry stays: " + ttl);
            assertEquals(Map.of("a", "1", "b", "2"), target.redis().hgetall("h"));
        }
    }
}
