package io.keyferry.engine.redis;

import java.util.List;

/**
 * Commands as raw RESP arguments, queued and sent as one pipeline, their replies read back in order.
 * The replies: {@code byte[]} for a bulk or status string, {@code Long} for an integer, {@code List<Object>}
 * for an array, {@code null} for a nil, and {@link Resp.Error} for an error, which is returned, never thrown,
 * so that the caller can name the key it was about. One thread uses a pipe at a time.
 */
public interface Pipe {
    /**
     * Queues one command; on a cluster it goes to the node of its key ({@link Cmd#key}).
     *
     * @return the index of its reply in the list {@link #sync()} returns next
     */
    int send(byte[]... args);

    /** Sends what is queued without waiting, so that replies from several servers overlap. */
    void flush();

    /** Sends what is queued and returns every reply since the last sync, in order. */
    List<Object> sync();

    /** The endpoint as the user named it, never with secrets. */
    String label();

    /**
     * What is kept of each reply up to the next {@link #sync()}: the filter sees every reply as it is read, with its
     * index, and returns what {@code sync} hands back in its place, so a caller bounds what a batch holds (a reply it
     * has no room for is dropped as soon as it is read, not after the whole batch arrived). Set before the commands are
     * queued; {@code sync} clears it.
     */
    void filtering(ReplyFilter filter);

    /**
     * Sends what is queued and sleeps through most of the time the server is expected to take to answer it, where that
     * is a long pipeline ({@link ReplyNap}), so that the next {@link #sync()} finds most replies there instead of
     * waking for each piece as it arrives. For a thread with nothing else to do meanwhile (the copy's stages); where
     * the replies are parsed elsewhere (Lettuce's), it only sends.
     */
    default void awaitReplies() {
        flush();
    }

    /** What {@link #filtering} keeps of a reply. */
    @FunctionalInterface
    interface ReplyFilter {
        /** @return the reply, or what stands in its place */
        Object keep(int at, Object reply);

        /**
         * Bytes of bulk strings the next reply may hold; one that holds more is read off the connection and dropped, and
         * {@link #keep} gets {@link Resp#OVER_BUDGET} for it (not where the replies are parsed elsewhere: Lettuce's).
         */
        default long budget() {
            return Long.MAX_VALUE;
        }

        /**
         * How the reply at {@code at} is digested as it is read ({@link Digest}), which {@link #keep} then gets in its
         * place; null: kept whole.
         */
        default Digest.Shape digesting(int at) {
            return null;
        }
    }
}
