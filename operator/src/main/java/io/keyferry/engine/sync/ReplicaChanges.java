package io.keyferry.engine.sync;

import io.keyferry.engine.redis.RespConnection;

/** A Redis source's changes: its replication stream, each command read as what it did to the followed database. */
final class ReplicaChanges implements ChangeSource {
    private final ReplicationStream stream;
    private final int db;

    private ReplicaChanges(ReplicationStream stream, int db) {
        this.stream = stream;
        this.db = db;
    }

    /** @param db the database followed (the source URI's) */
    static ReplicaChanges open(RespConnection connection, Position from, int db) {
        return new ReplicaChanges(ReplicationStream.open(connection, from), db);
    }

    @Override
    public Position start() {
        return stream.start();
    }

    @Override
    public boolean resumed() {
        return stream.resumed();
    }

    @Override
    public Changed next(long millis) throws InterruptedException {
        Change c = stream.next(millis);
        return c == null ? null : new Changed(ChangedKeys.of(c, db), new Position(stream.start().replId(), c.offset()));
    }

    @Override
    public void close() {
        stream.close();
    }
}
