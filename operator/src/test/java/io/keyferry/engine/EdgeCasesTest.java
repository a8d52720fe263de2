package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import io.keyferry.testing.Values;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values that are easy to get wrong: empty ones, binary key names, an empty stream that only has a group. */
class EdgeCasesTest {

    @ParameterizedTest(name = "DUMP/RESTORE available: {0}")
    @ValueSource(booleans = {true, false})
    void copiesAndVerifiesEmptyValuesBinaryNamesAndAGroupOnlyStream(boolean dumpRestore) {
        try (RedisServer source = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore();
             RedisServer target = dumpRestore ? RedisServer.start() : RedisServer.withoutDumpRestore()) {
            byte[] binaryKey = {'k', (byte) 0xff, 0, '\n', (byte) 0xc3};
            source.binary().set(binaryKey, new byte[] {0, 1, 2, (byte) 0xfe});
            source.redis().set("empty", "");
            source.redis().set("with space\nand newline", "v");
            source.redis().xgroupCreate(StreamOffset.from("group-only", "0-0"), "g", XGroupCreateArgs.Builder.mkstream());
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);

            Copies.run(spec);

            assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xfe}, target.binary().get(binaryKey));
            assertEquals("", target.redis().get("empty"));
            assertEquals("v", target.redis().get("with space\nand newline"));
            assertEquals("stream:[] groups:[g@0-0]", Values.of(target.redis(), "group-only"));
            VerifyResult verified = Copies.verify(spec, false);
            assertTrue(verified.clean(), verified.toString());
            assertEquals(4, verified.keysChecked());

            target.binary().set(binaryKey, new byte[] {9});
            VerifyResult broken = Copies.verify(spec, false);
            assertEquals("k\\xff\\x00\\x0a\\xc3", broken.samples().get(0).key(), "a key that is not UTF-8 is shown escaped");
        }
    }
}
