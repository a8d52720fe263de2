package io.keyferry.cli;

/** The exit codes every keyferry command (and the kubectl keyferry plugin) keeps to. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Verification found keys that still differ after every round. */
    public static final int MISMATCHES = 1;
    /** Invalid input, or an endpoint unreachable or unusable; nothing was written to the target. */
    public static final int INVALID_INPUT = 2;
    /** The copy (or a verification) stopped part way; the state is kept and the same command resumes. */
    public static final int COPY_FAILED = 3;
    /** keyferry operator could not start: no API server, no CRD, a permission missing, its port taken. */
    public static final int CANNOT_START = 4;
    /** keyferry operator lost its Lease: it stopped reconciling and wrote nothing more; a new process competes again. */
    public static final int LEADERSHIP_LOST = 5;
    /** kubectl keyferry: no DataMigration (or worker pod) of that name in the namespace. */
    public static final int NOT_FOUND = 6;
    /** kubectl keyferry advance: a guard blocks the next rung; nothing was changed. */
    public static final int GUARD_BLOCKED = 7;
    /**
     * kubectl keyferry: the request was refused and nothing was changed: no rung that way, a move still in progress,
     * a rollback from TargetOnly not confirmed, a retry of a migration that has not failed.
     */
    public static final int REFUSED = 8;
    /** kubectl keyferry abort: the installed KeyFerry has no undo journal, so there is no Aborted phase to ask for. */
    public static final int UNSUPPORTED = 9;
    /** kubectl keyferry: the API server could not be reached, refused the request (permissions) or saw a conflict. */
    public static final int API_ERROR = 10;

    private ExitCodes() {}
}
