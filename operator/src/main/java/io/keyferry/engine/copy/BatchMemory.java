package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;

/**
 * The room one batch has for values read whole: a sixteenth of the heap (at least 4 MiB), so that the few batches a
 * copy or a verification has in its stages at once fit beside each other whatever the values' sizes. Keys are small
 * or big by their own size (512 KiB, 512 elements); a batch of 500 keys each just under that would hold 250 MiB, so
 * the batch's reads are filtered as they arrive ({@link Pipe#filtering}): a value past the room is dropped as soon as
 * it is read and stands as {@link #NO_ROOM}, and its key is read again later, in a round that has room (the copy), or
 * compared chunk by chunk (the verification). The first value of a round is always kept, so every round moves on.
 */
public final class BatchMemory implements Pipe.ReplyFilter {
    /** A read whose value there was no room for: its key is read again later. */
    public static final Object NO_ROOM = new Object() {
        @Override
        public String toString() {
            return "(no room in this batch)";
        }
    };

    /** The bytes of values a batch holds at most, from this JVM's heap. */
    public static final long BATCH_BYTES = Math.max(4L << 20, Runtime.getRuntime().maxMemory() / 16);

    private final long room;
    private long held;
    private boolean holds;
    private int dropped;
    private int kept;
    private final java.util.BitSet alone = new java.util.BitSet();

    /** @param room bytes of values this round may keep, beyond those its batch holds already */
    public BatchMemory(long room) {
        this.room = room;
    }

    /**
     * The first value of a round may take a whole batch's room, whatever the batch holds already (values read while
     * deciding), so every round moves on; a value bigger than that fits no batch ({@link #tooBig}). Later values get
     * what is left of this round's room.
     */
    @Override
    public long budget() {
        return holds ? Math.max(0, room - held) : Math.max(room, BATCH_BYTES);
    }

    @Override
    public Object keep(int at, Object reply) {
        if (reply == Resp.OVER_BUDGET) {
            dropped++;
            if (!holds) {
                alone.set(at);
            }
            return NO_ROOM;
        }
        long bytes = footprint(reply);
        if (bytes > 0 && holds && held + bytes > room) {
            dropped++;
            return NO_ROOM;
        }
        if (bytes > 0) {
            held += bytes;
            holds = true;
            kept++;
        }
        return reply;
    }

    /**
     * What a value read whole takes of the heap, about: its bytes, and for each string (a member, a field, a value)
     * its array's header and the list's reference to it. A hash of 600 fields of 10 bytes is 12 KB of payload and
     * about 45 KB of heap; counted by its payload, a batch of such keys held four times its room.
     */
    public static long footprint(Object value) {
        if (value instanceof byte[] b) {
            return b.length + 16L;
        }
        long n = 0;
        if (value instanceof java.util.List<?> items) {
            n += 24L + 8L * items.size();
            for (Object item : items) {
                n += footprint(item);
            }
        }
        return n;
    }

    /**
     * Whether the value of reply {@code at} was more than the whole room: dropped while nothing was held, it would be
     * dropped in any round, so its key is read in chunks.
     */
    public boolean tooBig(int at) {
        return alone.get(at);
    }

    /** How many values were dropped for want of room. */
    public int dropped() {
        return dropped;
    }

    /**
     * The size of the values read lately: how many reads a round sends, so that a keyspace of values near the big-key
     * bounds is read a roomful at a time instead of read whole and mostly dropped. Until a round kept a value, and
     * while values are small, every read is sent.
     */
    public static final class Sizes {
        private volatile long perValue;

        /** Reads to send for {@code room} bytes: as many as values of the size seen lately fill, and one. */
        public long most(long room) {
            long each = perValue;
            return each <= 0 ? Long.MAX_VALUE : Math.max(0, room) / each + 1;
        }

        /** Learns from a round's replies: the average size of the values it kept, where it kept any. */
        public void saw(BatchMemory round) {
            if (round.kept > 0) {
                perValue = round.held / round.kept;
            }
        }
    }
}
