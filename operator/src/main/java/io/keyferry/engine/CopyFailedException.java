package io.keyferry.engine;

/** The copy stopped part way; the checkpoint is kept and a rerun resumes from it. */
public class CopyFailedException extends RuntimeException {
    public CopyFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public CopyFailedException(String message) {
        super(message);
    }
}
