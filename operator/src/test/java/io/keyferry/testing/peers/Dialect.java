package io.keyferry.testing.peers;

import java.util.List;
import java.util.function.Function;

/** How a recorded store answers a command, as a {@link StoreDouble} plays it in front of a real redis-server. */
public interface Dialect {
    /** What the store does with one command of a client's. */
    Step handle(List<byte[]> cmd);

    /** The store's name as its recording is named (pika, kvrocks). */
    String store();

    /**
     * The dialect one client connection is served in, asked when it opens: a dialect whose behaviour changes over
     * time (a hostile server mended) keeps a connection opened before the change as it was, so the commands still
     * buffered on it after its client left are not played, out of order, under the new behaviour.
     */
    default Dialect connection() {
        return this;
    }

    sealed interface Step permits Answer, Forward, Hang {}

    /** The store answers this itself. */
    record Answer(Object reply) implements Step {}

    /** Commands sent to the redis-server behind, in one round trip, and the store's reply made from theirs. */
    record Forward(List<List<byte[]>> commands, Function<List<Object>, Object> reply) implements Step {
        /** One command, its reply rewritten. */
        public static Forward of(List<byte[]> cmd, Function<Object, Object> rewrite) {
            return new Forward(List.of(cmd), replies -> rewrite.apply(replies.get(0)));
        }

        /** One command, its reply as the redis-server gives it. */
        public static Forward as(List<byte[]> cmd) {
            return of(cmd, r -> r);
        }
    }

    /** The store never answers, and the connection hangs (Pika's XINFO GROUPS). */
    enum Hang implements Step { INSTANCE }
}
