package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.Policy;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A repair of a list under Merge: the list is cut back to what the target held before the copy appended (its base,
 * recorded by the copy) and the source's list appended again, so the target's own elements stay first and no source
 * element is there twice, however the source changed the list since.
 */
class MergedListRepairTest {

    @Test
    void aRepairCutsAMergedListBackToItsBaseAndAppendsTheSourceAgain() throws Exception {
        try (RedisServer source = RedisServer.start(); RedisServer target = RedisServer.start()) {
            source.redis().rpush("l", "a", "b");
            source.redis().rpush("new", "n");
            target.redis().rpush("l", "own");
            DataMigrationSpec spec = Copies.spec(target, Policy.OVERWRITE, source);
            spec.getPolicies().setList(Policy.MERGE);
            try (FileCheckpointStore store = new FileCheckpointStore(Files.createTempDirectory("keyferry-state-"));
                 Migration m = new Migration("m", spec, new io.keyferry.engine.FileSecretResolver(null), store).keepingListBases("m")) {
                m.prepare();
                m.copy(ProgressListener.NONE);
            }
            assertEquals(List.of("own", "a", "b"), target.redis().lrange("l", 0, -1));
            assertEquals("1", target.redis().hget("keyferry:listbase:{m}", "l"), "the target's length before the append");
            assertEquals("0", target.redis().hget("keyferry:listbase:{m}", "new"), "a list the copy created");

            source.redis().lset("l", 0, "A");
            source.redis().rpush("l", "c");
            source.redis().lpop("new");
            source.redis().rpush("new", "m");
            assertFalse(verify(spec, false).clean());
            VerifyResult repaired = verify(spec, true);
            assertTrue(repaired.clean(), repaired.toString());
            assertEquals(List.of("own", "A", "b", "c"), target.redis().lrange("l", 0, -1));
            assertEquals(List.of("m"), target.redis().lrange("new", 0, -1));
        }
    }

    private static VerifyResult verify(DataMigrationSpec spec, boolean repair) {
        spec.getVerify().setRoundPauseSeconds(0);
        try (Migration m = Migration.verifyOnly("m", spec, new FileSecretResolver(null)).keepingListBases("m")) {
            m.prepare();
            return m.verify(ProgressListener.NONE, repair);
        }
    }
}
