package io.keyferry.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker that cannot report (no route to the API server, no right to its ConfigMap) gives up after a bounded number
 * of tries in a row, naming the call and its HTTP status, instead of logging "will retry" for ever.
 */
class ReportPublisherTest {

    @Test
    void givesUpAfterTheFailuresAllowedInARowAndSaysWhichCallFailed() {
        AtomicInteger tries = new AtomicInteger();
        List<String> log = new CopyOnWriteArrayList<>();
        ReportPublisher.Sink forbidden = json -> {
            tries.incrementAndGet();
            throw new KubernetesClientException("configmaps \"m-copy-0\" is forbidden", 403, null);
        };
        try (ReportPublisher publisher = new ReportPublisher(forbidden, 1, log::add)) {
            WorkerReport report = new WorkerReport();
            IllegalStateException gaveUp = null;
            for (int i = 0; gaveUp == null && i < 100_000; i++) { // the worker's progress, until reporting gives up
                report.keysScanned = i;
                try {
                    publisher.update(report);
                    Thread.sleep(1);
                } catch (IllegalStateException e) {
                    gaveUp = e;
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }

            assertNotNull(gaveUp, "reporting never gave up");
            assertEquals(ReportPublisher.FAILURES_ALLOWED, tries.get());
            assertTrue(gaveUp.getMessage().startsWith("cannot report to the operator: the report's ConfigMap patch answered"
                    + " HTTP 403"), gaveUp.getMessage());
            assertTrue(log.get(0).endsWith("will retry (1 of " + ReportPublisher.FAILURES_ALLOWED + ")"), log.get(0));
        }
    }
}
