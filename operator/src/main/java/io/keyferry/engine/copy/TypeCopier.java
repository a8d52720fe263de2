package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.util.List;

/**
 * The type-native copy of one data type: a whole read for small keys (pipelined across a batch),
 * and a chunked copy in bounded memory for big ones. The caller deletes the target key before a
 * REPLACE and sets the expiry afterwards. Values are as a {@link Pipe} returns them: a string's bytes,
 * or a collection's elements as one flat list (a hash's fields and values, a sorted set's members and
 * scores, alternating).
 */
interface TypeCopier {
    /** The command that tells a key's elements (bytes for strings), to tell small keys from big ones. */
    byte[] sizeCommand();

    /** Queues the whole read of a small key; returns where its reply stands. */
    int readWhole(Pipe source, byte[] key);

    /**
     * The value read whole from the replies of the batch's pipeline, {@link #readWhole}'s at {@code at}: the reply
     * itself, but where a type reads with several commands.
     */
    default Object wholeReply(List<Object> replies, int at) {
        return replies.get(at);
    }

    /** Whether a whole read found nothing (the key vanished between TYPE and the read); null is checked first. */
    default boolean isEmpty(Object value) {
        return value instanceof List<?> items && items.isEmpty();
    }

    /** Bytes of payload in a value read whole, for progress. */
    default long payloadBytes(Object value) {
        return Resp.payload(value);
    }

    /**
     * Queues the writes of a small key's value under the decision's action, and of the expiry it ends with.
     *
     * @param now the clock read just before, for an expiry sent relative ({@link TargetWriter#applyTtl})
     */
    void writeWhole(TargetWriter target, Decision d, Object value, long now);

    /**
     * Copies a key chunk by chunk; no chunk holds more than a few hundred elements or 1 MiB.
     *
     * @param replay the key may be partly copied by an interrupted run under the same decision
     * @return payload bytes copied
     */
    long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay);

    /** Elements per chunk read or written, keeping every command far below 25 ms of server time. */
    int CHUNK = 500;

    /**
     * A value read whole cut into consecutive parts of at most {@code items} list items (views, not copies), for
     * writes of at most {@link #CHUNK} elements a command.
     */
    static List<List<Object>> parts(List<Object> value, int items) {
        List<List<Object>> parts = new java.util.ArrayList<>();
        for (int from = 0; from < value.size(); from += items) {
            parts.add(value.subList(from, Math.min(value.size(), from + items)));
        }
        return parts;
    }

    /** Chunks written before the writer waits for their replies; bounds memory on fast sources. */
    int CHUNKS_IN_FLIGHT = 8;
}
