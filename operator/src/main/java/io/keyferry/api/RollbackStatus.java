package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Where moving spec.phase back would lead (to, with its flag), and every transition so far.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RollbackStatus(
        @JsonPropertyDescription("The phase a rollback leads to: SourceOnly from DualWrite, DualWrite from ReadTarget or"
                + " TargetOnly; absent in SourceOnly.")
        Phase to,
        @JsonPropertyDescription("The flag of that phase.")
        String flag,
        @JsonPropertyDescription("The phase transitions carried out, oldest first (the last 50).")
        List<Transition> history) {
    /** One phase transition that was carried out: the flag written, when, and why. */
    public record Transition(
            @JsonPropertyDescription("The phase left; absent for the first transition.")
            Phase from,
            @JsonPropertyDescription("The phase entered.")
            Phase to,
            @JsonPropertyDescription("The flag written.")
            String flag,
            @JsonPropertyDescription("When, as an RFC 3339 time in UTC.")
            String at,
            @JsonPropertyDescription("Why: the spec.phase asked for, whether it was a rollback, and any warning (a rollback"
                    + " from TargetOnly leaves the old store without the writes made meanwhile).")
            String reason) {}
}
