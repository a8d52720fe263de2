package io.keyferry.cli.kubectl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** A log stream written line by line to a shared output, each line with its pod's prefix, whole lines only. */
final class PrefixedLines extends OutputStream {
    private final PrintWriter out;
    private final String prefix;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    PrefixedLines(PrintWriter out, String prefix) {
        this.out = out;
        this.prefix = prefix;
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            flushLine();
        } else {
            line.write(b);
        }
    }

    @Override
    public void close() {
        if (line.size() > 0) {
            flushLine();
        }
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        synchronized (out) {
            out.println(prefix + text);
            out.flush();
        }
    }
}
