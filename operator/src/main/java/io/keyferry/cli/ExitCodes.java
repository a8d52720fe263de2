package io.keyferry.cli;

/** The exit codes every keyferry command keeps to. */
final class ExitCodes {
    static final int OK = 0;
    /** Verification found keys that still differ after every round. */
    static final int MISMATCHES = 1;
    /** Invalid input, or an endpoint unreachable or unusable; nothing was written to the target. */
    static final int INVALID_INPUT = 2;
    /** The copy (or a verification) stopped part way; the state is kept and the same command resumes. */
    static final int COPY_FAILED = 3;

    private ExitCodes() {}
}
