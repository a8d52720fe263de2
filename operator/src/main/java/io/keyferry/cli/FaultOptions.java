package io.keyferry.cli;

import io.keyferry.engine.Retrying;
import io.keyferry.engine.redis.Timeouts;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a command meets network and server faults: its retry budget and its timeouts (docs/reliability.md). */
final class FaultOptions {
    @Option(names = "--retries", paramLabel = "N", defaultValue = "" + Retrying.DEFAULT_RETRIES,
            description = "After a connection is lost or a server does not answer in time, connect again and resume from"
                    + " the saved state up to N times, pausing 1, 2, 4, 8, 16 s between tries (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--reply-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "The longest wait for a server's reply before the connection counts as lost (default: ${DEFAULT-VALUE}).")
    double replyTimeout;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "The longest wait for a connection to open (default: ${DEFAULT-VALUE}).")
    double connectTimeout;

    /** Applies the timeouts to the connections this process opens; false after saying which option is wrong. */
    boolean apply(PrintWriter err) {
        if (retries < 0) {
            err.println("keyferry: --retries must be 0 or more, not " + retries);
            return false;
        }
        if (!(replyTimeout > 0) || !(connectTimeout > 0)) {
            err.println("keyferry: " + (replyTimeout > 0 ? "--connect-timeout" : "--reply-timeout")
                    + " must be a positive number of seconds");
            return false;
        }
        Timeouts.set(Duration.ofMillis((long) (connectTimeout * 1000)), Duration.ofMillis((long) (replyTimeout * 1000)));
        return true;
    }

    Retrying retrying(PrintWriter err) {
        return new Retrying(retries, message -> {
            err.println("keyferry: " + message);
            err.flush();
        });
    }
}
