package io.keyferry.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which failures are retried, how often, and what is said when the budget is spent. */
class RetryingTest {
    private static RuntimeException lost() {
        return new IllegalStateException("target (redis://10.0.0.7:6379/0): connection lost: Connection reset",
                new UncheckedIOException(new SocketException("Connection reset")));
    }

    @Test
    void aLostConnectionIsRetriedAndTheNextAttemptsResult() {
        List<String> said = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        String result = new Retrying(2, said::add).run(n -> {
            attempts.add(n);
            if (n == 1) {
                throw lost();
            }
            return "done";
        });
        assertEquals("done", result);
        assertEquals(List.of(1, 2), attempts);
        assertEquals(List.of("target (redis://10.0.0.7:6379/0): connection lost: Connection reset; retry 1 of 2 in 1 s"), said);
    }

    @Test
    void aFaultThatOutlastsTheBudgetEndsNamingItAndTheRetries() {
        List<Integer> attempts = new ArrayList<>();
        CopyFailedException e = assertThrows(CopyFailedException.class, () -> new Retrying(1, m -> { }).run(n -> {
            attempts.add(n);
            throw lost();
        }));
        assertEquals(List.of(1, 2), attempts);
        assertEquals("target (redis://10.0.0.7:6379/0): connection lost: Connection reset (still failing after 1 retry)",
                e.getMessage());
    }

    @Test
    void otherFailuresAreNotRetried() {
        RuntimeException refused = new MigrationInputException("target at spec.target.endpoint.uri is unreachable or refused"
                + " the login: AUTH answered WRONGPASS");
        List<Integer> attempts = new ArrayList<>();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> new Retrying(5, m -> { }).run(n -> {
            attempts.add(n);
            throw refused;
        }));
        assertSame(refused, thrown);
        assertEquals(List.of(1), attempts);
    }

    @Test
    void tellsPassingFaultsFromLastingOnes() {
        assertTrue(Retrying.isTransient(new io.lettuce.core.RedisException("Connection disconnected")));
        assertTrue(Retrying.isTransient(new IllegalStateException("target: no reply within 2 s",
                new java.util.concurrent.TimeoutException())));
        assertTrue(Retrying.isTransient(new io.lettuce.core.RedisCommandExecutionException(
                "LOADING Redis is loading the dataset in memory")));
        assertFalse(Retrying.isTransient(new io.lettuce.core.RedisCommandExecutionException("ERR unknown command 'DUMP'")));
        assertFalse(Retrying.isTransient(new MigrationInputException("target: the TLS handshake failed",
                new javax.net.ssl.SSLHandshakeException("PKIX path building failed"))));
    }

    @Test
    void pausesDoubleFromOneSecondUpToSixteen() {
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 16L),
                List.of(1, 2, 3, 4, 5, 6).stream().map(n -> Retrying.pause(n).toSeconds()).toList());
    }
}
