package io.keyferry.engine.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare RESP connection for the one thing a client library cannot do in bounded memory: send a
 * value bigger than the heap wants to hold as one bulk string, streamed chunk by chunk. A big string
 * is written with one SET this way: the server reads it into its query buffer as it arrives and the
 * SET itself then takes a few microseconds, where growing the string by APPEND or SETRANGE copies
 * it again and again (tens of milliseconds per call at 50 MiB).
 */
public final class RawConnection implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};

    /** Supplies a value's bytes in order; null when there are no more. */
    public interface Chunks {
        byte[] next();
    }

    private final String label;
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawConnection(String label, Socket socket) throws IOException {
        this.label = label;
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 12);
    }

    /** Sends a command whose reply is a status (+OK) and fails with the server's error otherwise. */
    public void command(String... args) {
        try {
            header(args.length);
            for (String a : args) {
                bulk(a.getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            expectOk();
        } catch (IOException e) {
            throw new UncheckedIOException(label + ": " + e.getMessage(), e);
        }
    }

    /**
     * SET key to exactly {@code length} bytes taken from {@code chunks}. A source that ends early
     * aborts the command by closing the connection (the server then drops it) and fails.
     */
    public void setStreamed(byte[] key, long length, Chunks chunks) {
        try {
            header(3);
            bulk("SET".getBytes(StandardCharsets.US_ASCII));
            bulk(key);
            out.write(('$' + Long.toString(length)).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
            long sent = 0;
            while (sent < length) {
                byte[] chunk = chunks.next();
                if (chunk == null || chunk.length == 0) {
                    close();
                    throw new IllegalStateException(label + ": the value ended after " + sent + " of " + length
                            + " bytes (it changed while it was copied); nothing was written");
                }
                int n = (int) Math.min(chunk.length, length - sent);
                out.write(chunk, 0, n);
                sent += n;
            }
            out.write(CRLF);
            out.flush();
            expectOk();
        } catch (IOException e) {
            throw new UncheckedIOException(label + ": " + e.getMessage(), e);
        }
    }

    private void header(int count) throws IOException {
        out.write(('*' + Integer.toString(count)).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
    }

    private void bulk(byte[] value) throws IOException {
        out.write(('$' + Integer.toString(value.length)).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
        out.write(value);
        out.write(CRLF);
    }

    private void expectOk() throws IOException {
        String reply = readLine();
        if (!reply.startsWith("+")) {
            throw new IllegalStateException(label + " answered " + reply);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1) {
            throw new IOException("connection closed");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
