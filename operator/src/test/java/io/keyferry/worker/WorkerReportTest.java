package io.keyferry.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A worker's report fits its ConfigMap (1 MiB at most) whatever the keys it names: samples and errors are cut. */
class WorkerReportTest {

    @Test
    void aReportOfHugeKeysAndErrorsStaysSmall() throws Exception {
        String huge = "k".repeat(5_000_000);
        WorkerReport report = new WorkerReport();
        report.verification = new WorkerReport.Verification();
        for (int i = 0; i < 10; i++) {
            report.verification.samples.add(new WorkerReport.Sample(huge + i, "differs at byte " + huge));
        }
        report.error = WorkerReport.clip(huge, WorkerReport.ERROR_CHARS);

        int bytes = new ObjectMapper().writeValueAsBytes(report).length;

        assertTrue(bytes < 16 * 1024, "report of " + bytes + " bytes");
        assertTrue(report.verification.samples.get(0).key().endsWith("... (4999801 more characters)"),
                report.verification.samples.get(0).key().substring(190));
    }
}
