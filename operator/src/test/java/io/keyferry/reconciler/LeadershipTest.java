package io.keyferry.reconciler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A replica writes flags only while it holds the Lease, as the elector last told it. */
class LeadershipTest {

    @Test
    void holdsTheLeaseOnlyWhileTheElectorSaysItLeads() {
        Leadership me = new Leadership("keyferry", "keyferry-operator", "pod-a_1", Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2));
        LeaderCallbacks callbacks = me.configuration().getLeaderCallbacks().orElseThrow();
        assertFalse(me.held(), "not before it was elected");

        callbacks.onNewLeader("pod-a_1");
        assertTrue(me.held());

        callbacks.onNewLeader("pod-b_2"); // another replica took it over before this one noticed it lost
        assertFalse(me.held());

        callbacks.onNewLeader("pod-a_1");
        callbacks.onStopLeading();
        assertFalse(me.held(), "after losing it, never again");
    }
}
