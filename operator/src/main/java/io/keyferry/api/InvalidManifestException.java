package io.keyferry.api;

import java.util.List;
import java.util.stream.Collectors;

/** A DataMigration manifest that cannot be used, with every problem found in it. */
public class InvalidManifestException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidManifestException(List<FieldError> errors) {
        super(joinLines(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid manifest has at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    private static String joinLines(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).collect(Collectors.joining("\n"));
    }

    public List<FieldError> getErrors() {
        return errors;
    }
}
