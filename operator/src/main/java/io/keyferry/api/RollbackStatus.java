package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where moving spec.phase back would lead (to, with its flag), and every transition so far.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RollbackStatus(Phase to, String flag, List<Transition> history) {
    /** One phase transition that was carried out: the flag written, when, and why. */
    public record Transition(Phase from, Phase to, String flag, String at, String reason) {}
}
