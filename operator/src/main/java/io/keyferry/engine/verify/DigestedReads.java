package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.redis.Digest;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;

/**
 * One round's filter on one pipe: the reads marked here come back as {@link Digest}s, which hold no memory; every other
 * reply is kept within the batch's room ({@link BatchMemory}). A digest that passes the room's budget stands as
 * {@link BatchMemory#NO_ROOM}, as a value would, and its key is compared chunk by chunk.
 */
final class DigestedReads implements Pipe.ReplyFilter {
    private final Pipe.ReplyFilter room;
    /** The shape of each reply to digest, by its index; null: kept whole. */
    private Digest.Shape[] shapes = new Digest.Shape[64];

    DigestedReads(Pipe.ReplyFilter room) {
        this.room = room;
    }

    /** Marks the reply at {@code at} (a read of a key of {@code type}) to be digested. */
    void digest(int at, DataType type) {
        if (at >= shapes.length) {
            shapes = java.util.Arrays.copyOf(shapes, Math.max(at + 1, shapes.length * 2));
        }
        shapes[at] = shape(type);
    }

    static Digest.Shape shape(DataType type) {
        return switch (type) {
            case STRING -> Digest.Shape.BULK;
            case LIST -> Digest.Shape.ORDERED;
            case SET -> Digest.Shape.SCAN_SINGLES;
            case HASH, ZSET -> Digest.Shape.SCAN_PAIRS;
            case STREAM -> throw new IllegalArgumentException("streams are not digested");
        };
    }

    @Override
    public Digest.Shape digesting(int at) {
        return at < shapes.length ? shapes[at] : null;
    }

    @Override
    public long budget() {
        return room.budget();
    }

    @Override
    public Object keep(int at, Object reply) {
        if (digesting(at) == null) {
            return room.keep(at, reply);
        }
        return reply == Resp.OVER_BUDGET ? BatchMemory.NO_ROOM : reply;
    }
}
