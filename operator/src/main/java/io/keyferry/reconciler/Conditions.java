package io.keyferry.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * kstatus-style conditions built from the previous ones: a condition keeps its lastTransitionTime
 * unless its status flips, so an unchanged status serializes the same and is not written again.
 */
final class Conditions {
    static final String READY = "Ready";
    static final String RECONCILING = "Reconciling";
    static final String STALLED = "Stalled";
    static final String COPIED = "Copied";
    static final String VERIFIED = "Verified";
    static final String TRANSITION_BLOCKED = "TransitionBlocked";
    /** The order they are listed in. */
    private static final List<String> ORDER = List.of(READY, RECONCILING, STALLED, COPIED, VERIFIED, TRANSITION_BLOCKED);

    private final List<Condition> previous;
    private final List<Condition> next = new ArrayList<>();
    private final long generation;
    private final Instant now;

    Conditions(List<Condition> previous, long generation, Instant now) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
        this.now = now;
    }

    Conditions set(String type, boolean status, String reason, String message) {
        next.removeIf(c -> c.getType().equals(type));
        String value = status ? "True" : "False";
        Condition old = find(previous, type);
        String since = old != null && value.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now.toString();
        next.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message == null ? "" : message).withObservedGeneration(generation)
                .withLastTransitionTime(since).build());
        return this;
    }

    List<Condition> build() {
        List<Condition> out = new ArrayList<>(next);
        out.sort((a, b) -> Integer.compare(ORDER.indexOf(a.getType()), ORDER.indexOf(b.getType())));
        return out;
    }

    static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }
}
