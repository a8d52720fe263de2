package io.keyferry.engine;

/**
 * Invalid input, an unreachable or an incompatible endpoint, found before anything was written to the
 * target. The message names the field or endpoint and what to do.
 */
public class MigrationInputException extends RuntimeException {
    public MigrationInputException(String message) {
        super(message);
    }

    public MigrationInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
