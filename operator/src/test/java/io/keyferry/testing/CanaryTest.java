package io.keyferry.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The canary check fails a test whose outputs hold the password, wherever it shows, and only then. */
class CanaryTest {

    @Test
    void failsWhenARecordedOutputHoldsThePassword() {
        Canary check = new Canary();
        check.beforeEach(null);
        Canary.record("status", "lastError: AUTH " + Canary.PASSWORD + " refused");

        AssertionFailedError leak = assertThrows(AssertionFailedError.class, () -> check.afterEach(null));

        assertTrue(leak.getMessage().contains("status: ...lastError: AUTH <CANARY>"), leak.getMessage());
    }

    @Test
    void failsWhenALogLineHoldsThePassword() {
        Canary check = new Canary();
        check.beforeEach(null);
        System.err.println("connecting with password " + Canary.PASSWORD);

        assertThrows(AssertionFailedError.class, () -> check.afterEach(null));
    }

    @Test
    void passesWhenNoOutputHoldsIt() {
        Canary check = new Canary();
        check.beforeEach(null);
        Canary.record("status", "lastError: AUTH failed");
        System.out.println("no secret here");

        assertDoesNotThrow(() -> check.afterEach(null));
    }
}
