package io.keyferry.engine;

/** Receives progress after every batch; called on the copying thread, so it must be quick. */
public interface ProgressListener {
    void onProgress(Progress progress);

    ProgressListener NONE = p -> { };
}
