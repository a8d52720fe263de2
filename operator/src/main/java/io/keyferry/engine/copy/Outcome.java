package io.keyferry.engine.copy;

import java.util.Locale;

/** How one key ended, as counted per type in progress and reports. */
public enum Outcome {
    WRITTEN("written", "absent in the target, copied"),
    OVERWRITTEN("overwritten", "replaced by an exact copy of the source key"),
    MERGED("merged", "source elements added, source won on equal fields and members"),
    FILLED("filled", "only what the target lacked was added"),
    SKIPPED("skipped", "left untouched by policy"),
    TYPE_MISMATCH_SKIPPED("typeMismatchSkipped", "target holds another type; left untouched"),
    TYPE_MISMATCH_OVERWRITTEN("typeMismatchOverwritten", "target held another type; replaced"),
    UNSUPPORTED("unsupported", "a type KeyFerry cannot copy (module type); not copied, listed"),
    EXPIRED("expired", "gone from the source before it was copied (expired or deleted)");

    private final String label;
    private final String meaning;

    Outcome(String label, String meaning) {
        this.label = label;
        this.meaning = meaning;
    }

    /** The camelCase name used in reports and status. */
    public String label() { return label; }

    public String meaning() { return meaning; }

    public boolean wroteTarget() {
        return this == WRITTEN || this == OVERWRITTEN || this == MERGED || this == FILLED
                || this == TYPE_MISMATCH_OVERWRITTEN;
    }

    public static Outcome fromLabel(String label) {
        for (Outcome o : values()) {
            if (o.label.equals(label)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown outcome " + label.toLowerCase(Locale.ROOT));
    }
}
