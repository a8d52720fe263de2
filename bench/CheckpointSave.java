import io.keyferry.api.DataType;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.copy.*;
import java.lang.management.*;
import java.nio.file.*;
import java.util.*;
/**
 * What saving the checkpoint costs the copy's writing thread: the checkpoint of a 500-key batch in flight (keys of
 * mixed-1m's shape, a fifth with an expiry) saved 2000 times through FileCheckpointStore (write aside, rename), as a
 * SCAN copy of a million keys saves it, and the JSON alone; thread CPU and wall time, three times. Given a Redis URI,
 * also through TargetCheckpointStore (a worker Job's: the checkpoint fenced in the target) on that server.
 *
 *   java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp operator/target/keyferry.jar bench/CheckpointSave.java [redis://127.0.0.1:6379/0]
 */
public class CheckpointSave {
    public static void main(String[] a) throws Exception {
        List<Decision> ds = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            byte[] k = ("str:" + (100000 + i * 7919)).getBytes();
            ds.add(new Decision(k, k, DataType.STRING, "string", Action.COPY, Outcome.WRITTEN,
                    i % 5 == 0 ? 1_800_000_000_000L + i : -1, -1, 100 + i, 0, false, false));
        }
        Checkpoint cp = new Checkpoint();
        cp.sources = new ArrayList<>();
        cp.inflight = new Checkpoint.Inflight();
        cp.inflight.source = 0;
        cp.inflight.cursorAfter = "123456";
        cp.inflight.decisions = ds;
        System.out.println("json bytes: " + Checkpoint.JSON.writeValueAsBytes(cp).length);
        Path dir = Files.createTempDirectory("checkpoint-save-");
        FileCheckpointStore store = new FileCheckpointStore(dir);
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < 3; r++) {
            long c0 = t.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) store.save(cp);
            long c1 = t.getCurrentThreadCpuTime(), w1 = System.nanoTime();
            for (int i = 0; i < 2000; i++) Checkpoint.JSON.writeValueAsBytes(cp);
            long c2 = t.getCurrentThreadCpuTime();
            System.out.printf("2000 saves: %.0f ms wall, %.0f ms thread CPU; JSON alone %.0f ms CPU%n", (w1 - w0) / 1e6, (c1 - c0) / 1e6, (c2 - c1) / 1e6);
        }
        store.close();
        if (a.length > 0) {
            io.keyferry.api.EndpointSpec e = new io.keyferry.api.EndpointSpec();
            e.setUri(a[0]);
            try (io.keyferry.engine.redis.Endpoints endpoints = new io.keyferry.engine.redis.Endpoints(new io.keyferry.engine.FileSecretResolver(null));
                 io.keyferry.engine.checkpoint.TargetCheckpointStore target = new io.keyferry.engine.checkpoint.TargetCheckpointStore(
                         endpoints.connect(e, "spec.target.endpoint", "target"), "bench:checkpoint-save")) {
                target.load();
                for (int r = 0; r < 3; r++) {
                    long c0 = t.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                    for (int i = 0; i < 2000; i++) target.save(cp);
                    long c1 = t.getCurrentThreadCpuTime(), w1 = System.nanoTime();
                    System.out.printf("2000 saves in the target: %.0f ms wall, %.0f ms thread CPU%n", (w1 - w0) / 1e6, (c1 - c0) / 1e6);
                }
                target.clear();
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
