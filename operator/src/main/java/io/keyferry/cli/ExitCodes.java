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
    /** keyferry operator could not start: no API server, no CRD, a permission missing, its port taken. */
    static final int CANNOT_START = 4;
    /** keyferry operator lost its Lease: it stopped reconciling and wrote nothing more; a new process competes again. */
    static final int LEADERSHIP_LOST = 5;

    private ExitCodes() {}
}
