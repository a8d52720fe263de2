package io.keyferry.engine.snapshot;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Counters;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The RESTOREs of one snapshot, each sent where its key lives: to the target, or in a cluster target to the master of
 * the key's slot, each master over its own pipelined {@link Restores}, opened on its first key. A slot that moves
 * while the snapshot is walked is not followed: its RESTORE is answered MOVED or ASK, which stops the copy (a rerun
 * takes the snapshot again, against the topology then).
 */
final class RoutedRestores implements AutoCloseable {
    private static final String SERVER = "";

    private final SnapshotCopy.Target target;
    private final boolean counted;
    private final int batchKeys;
    private final Map<String, Restores> byNode = new LinkedHashMap<>();

    RoutedRestores(SnapshotCopy.Target target, boolean counted, int batchKeys) {
        this.target = target;
        this.counted = counted;
        this.batchKeys = batchKeys;
    }

    void restore(byte[] key, DataType type, long expireAt, byte[] payload, int payloadLength) throws IOException {
        String node = target.nodeOf(key);
        String at = node == null ? SERVER : node;
        Restores to = byNode.get(at);
        if (to == null) {
            to = new Restores(target.open(node), counted, batchKeys);
            byNode.put(at, to);
        }
        to.restore(key, type, expireAt, payload, payloadLength);
    }

    /** Sends what is queued everywhere and waits for every reply; returns what the RESTOREs did. */
    Counters finish() throws IOException {
        Counters all = new Counters();
        for (Restores r : byNode.values()) {
            all.addAll(r.finish());
        }
        return all;
    }

    @Override
    public void close() {
        byNode.values().forEach(Restores::close);
    }
}
