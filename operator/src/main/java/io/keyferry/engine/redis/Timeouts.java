package io.keyferry.engine.redis;

import java.time.Duration;

/**
 * How long a connection may take to open, and how long a reply may take, for every connection this process opens
 * (`--connect-timeout`, `--reply-timeout`). A server that stops answering (a black hole, a frozen host) fails the
 * call after the reply timeout with the endpoint named; nothing waits longer. Process-wide, because the command
 * line sets it once for all the connections a command opens.
 */
public final class Timeouts {
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
    /** A pipeline of big DUMPs on a loaded server may take long; two minutes is long for anything else. */
    public static final Duration DEFAULT_REPLY = Duration.ofMinutes(2);

    private static volatile Duration connect = DEFAULT_CONNECT;
    private static volatile Duration reply = DEFAULT_REPLY;

    private Timeouts() {}

    /** Sets both; each must be positive. */
    public static void set(Duration connectTimeout, Duration replyTimeout) {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: connect " + connectTimeout + ", reply " + replyTimeout);
        }
        connect = connectTimeout;
        reply = replyTimeout;
    }

    public static Duration connect() {
        return connect;
    }

    public static Duration reply() {
        return reply;
    }

    /** "120 s", "1.5 s": for messages. */
    public static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }
}
