package io.keyferry.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * The canary password: every test with a Secret or a password uses {@link #PASSWORD}, and, extended with this class,
 * fails if any of KeyFerry's outputs holds it. Outputs are what the test recorded ({@link #record}: the CLI's stdout
 * and stderr and its report, an operator test's DataMigrations with their status, its Events, ConfigMaps and worker
 * logs) and everything written to System.out and System.err during the test (the operator's and the workers' logs,
 * which run in this JVM).
 */
public final class Canary implements BeforeEachCallback, AfterEachCallback {
    /** The password to use wherever a test needs one. */
    public static final String PASSWORD = "kf-canary-7Qx9-never-print-me";

    private static final List<Map.Entry<String, String>> OUTPUTS = new CopyOnWriteArrayList<>();
    private static final ByteArrayOutputStream CONSOLE = new ByteArrayOutputStream();
    private PrintStream out;
    private PrintStream err;

    /** Keeps one of KeyFerry's outputs for the check after the test. */
    public static void record(String what, String text) {
        OUTPUTS.add(Map.entry(what, text == null ? "" : text));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        OUTPUTS.clear();
        synchronized (CONSOLE) {
            CONSOLE.reset();
        }
        out = System.out;
        err = System.err;
        System.setOut(tee(out));
        System.setErr(tee(err));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setOut(out);
        System.setErr(err);
        List<Map.Entry<String, String>> outputs = new ArrayList<>(OUTPUTS);
        synchronized (CONSOLE) {
            outputs.add(Map.entry("stdout and stderr (logs)", CONSOLE.toString(StandardCharsets.UTF_8)));
        }
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> o : outputs) {
            int at = o.getValue().indexOf(PASSWORD);
            if (at >= 0) {
                leaks.add(o.getKey() + ": ..." + o.getValue().substring(Math.max(0, at - 200), at) + "<CANARY>...");
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionFailedError("the canary password is in KeyFerry's output:\n" + String.join("\n", leaks));
        }
    }

    /** Writes to {@code through} and keeps a copy. */
    private static PrintStream tee(PrintStream through) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                through.write(b);
                synchronized (CONSOLE) {
                    CONSOLE.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                through.write(b, off, len);
                synchronized (CONSOLE) {
                    CONSOLE.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }
}
