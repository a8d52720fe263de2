package io.keyferry.engine;

import io.keyferry.engine.redis.Endpoints;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Runs an attempt again after a fault of the network or of a server (a connection reset, a server restarting or
 * loading its data, no reply within the reply timeout), pausing 1, 2, 4, 8, 16, 16... seconds between attempts, at
 * most {@code retries} times, then gives up with a {@link CopyFailedException} that says the fault. Each new attempt opens new connections and resumes from the saved state: the batch in
 * flight is decided again from its journal, exactly as after kill -9. Any other failure is thrown as it is.
 */
public final class Retrying {
    public static final int DEFAULT_RETRIES = 5;
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(16);

    private final int retries;
    private final Consumer<String> log;
    private int retried;

    /** @param log told of each fault and the retry that follows */
    public Retrying(int retries, Consumer<String> log) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
        }
        this.retries = retries;
        this.log = log;
    }

    /** @param attempt given the attempt's number, 1 first; attempts after the first open their connections anew */
    public <T> T run(IntFunction<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.apply(n);
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                if (n > retries) {
                    throw new CopyFailedException(e.getMessage() + " (still failing after " + retries
                            + (retries == 1 ? " retry" : " retries") + ")", e);
                }
                Duration pause = pause(n);
                log.accept(e.getMessage() + "; retry " + n + " of " + retries + " in " + pause.toSeconds() + " s");
                retried++;
                sleep(pause);
            }
        }
    }

    /** How many retries the attempts so far took. */
    public int retried() {
        return retried;
    }

    static Duration pause(int retry) {
        Duration p = FIRST_PAUSE.multipliedBy(1L << Math.min(retry - 1, 10));
        return p.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : p;
    }

    /**
     * A fault that may pass: a lost or refused connection, a reply that did not come in time, a server still loading
     * its data set or turned read-only (a failover). Not a refused login, a bad manifest or a server's other errors.
     */
    public static boolean isTransient(Throwable e) {
        if (Endpoints.causedBy(e, javax.net.ssl.SSLException.class)
                || Endpoints.causedBy(e, java.security.GeneralSecurityException.class)) {
            return false; // a certificate does not get better by waiting
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException || c instanceof java.util.concurrent.TimeoutException
                    || c instanceof io.lettuce.core.RedisConnectionException
                    || c instanceof io.lettuce.core.RedisCommandTimeoutException) {
                return true;
            }
            String m = c.getMessage() == null ? "" : c.getMessage();
            if (m.contains("LOADING ") || m.contains("READONLY ") || m.contains("connection lost")
                    || m.contains("connection was lost")) {
                return true;
            }
            // Lettuce's own word for a connection that went away ("Connection closed", "Connection disconnected",
            // "Currently not connected"); a server's refusal is a RedisCommandExecutionException instead.
            if (c.getClass() == io.lettuce.core.RedisException.class && m.toLowerCase(java.util.Locale.ROOT).contains("connect")) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
