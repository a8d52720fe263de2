package io.keyferry.engine.copy;

/** What a batch does to one target key, decided before anything is written. */
public enum Action {
    /** The target key was absent: write the source key. */
    COPY,
    /** Delete the target key, then write the source key (Overwrite, or a type clash under Overwrite). */
    REPLACE,
    /** Add every source element; on the same field or member the source wins; lists are appended. */
    MERGE,
    /** Add only the fields and members the target lacks. */
    FILL,
    /** Leave the target key as it is. */
    NONE
}
