package io.keyferry.cli.kubectl;

/** A command ends here: the message says what happened and what to do, the exit code is one of {@code ExitCodes}. */
final class PluginException extends RuntimeException {
    private final int exitCode;

    PluginException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
