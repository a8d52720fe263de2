package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.engine.redis.Resp;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A small key's whole value in a form that compares by content: strings as a ByteBuffer, hashes, sets and sorted
 * sets as {@link Elements}, lists as their elements, streams as their entries and consumer groups.
 */
record SourceValue(DataType type, long expireAt, Object value) {

    record StreamValue(List<StreamMessage<byte[], byte[]>> entries, Map<String, String> groups) {}

    /**
     * @param reply as a {@link io.keyferry.engine.redis.Pipe} returns it: a string's bytes, a collection's
     *              flat elements (fields and values, members and scores, alternating), a stream's entries
     * @return a string as a ByteBuffer, a hash, set or sorted set as {@link Elements} (scores as printed: compared
     *     as text first, parsed only where the texts differ), a list as its elements, a stream as it is
     */
    @SuppressWarnings("unchecked")
    static Object canonical(DataType type, Object reply) {
        return switch (type) {
            case STRING -> ByteBuffer.wrap((byte[]) reply);
            case HASH, ZSET -> Elements.pairs((List<Object>) reply);
            case SET -> Elements.members((List<Object>) reply);
            case LIST -> (List<byte[]>) reply;
            case STREAM -> reply;
        };
    }

    /** Whether two printed scores are the same number ("1" and "1.0" are, from stores that print them so). */
    static boolean sameScore(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b) || Double.compare(Resp.score(a), Resp.score(b)) == 0;
    }
}
