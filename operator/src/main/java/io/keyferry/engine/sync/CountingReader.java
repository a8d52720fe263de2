package io.keyferry.engine.sync;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a replication stream's commands (RESP arrays of bulk strings, as masters send them) and counts every byte, so
 * the offset after each command is the master's own. Tracks SELECT, so each change carries its database.
 */
final class CountingReader {
    private final InputStream in;
    private long offset;
    private int db;

    CountingReader(InputStream in, long offset) {
        this.in = in;
        this.offset = offset;
    }

    Change command() throws IOException {
        int b = read();
        while (b == '\n' || b == '\r') { // not sent after the snapshot; counted if they ever come
            b = read();
        }
        if (b != '*') {
            throw new IOException("expected a command (*), got byte " + b + " at offset " + offset);
        }
        int n = (int) number();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("a command of " + n + " arguments at offset " + offset);
        }
        byte[][] args = new byte[n][];
        for (int i = 0; i < n; i++) {
            if (read() != '$') {
                throw new IOException("expected a bulk string ($) at offset " + offset);
            }
            long len = number();
            if (len < 0 || len > 512L * 1024 * 1024) {
                throw new IOException("a bulk string of " + len + " bytes at offset " + offset);
            }
            args[i] = bulk(len);
            if (read() != '\r' || read() != '\n') {
                throw new IOException("a bulk string without its CRLF at offset " + offset);
            }
        }
        Change c = new Change(offset, db, args);
        if (c.is("SELECT") && n == 2) {
            db = Integer.parseInt(c.arg(1));
        }
        return new Change(offset, c.is("SELECT") ? db : c.db(), args);
    }

    private byte[] bulk(long len) throws IOException {
        if (len > ReplicationStream.KEPT_ARGUMENT) {
            for (long left = len; left > 0; left--) {
                read();
            }
            return null;
        }
        byte[] out = new byte[(int) len];
        int got = 0;
        while (got < len) {
            int r = in.read(out, got, (int) len - got);
            if (r < 0) {
                throw new EOFException("the source closed the connection");
            }
            got += r;
        }
        offset += len;
        return out;
    }

    private long number() throws IOException {
        long v = 0;
        boolean negative = false;
        for (int b = read(); b != '\r'; b = read()) {
            if (b == '-') {
                negative = true;
            } else if (b < '0' || b > '9') {
                throw new IOException("expected a number, got byte " + b + " at offset " + offset);
            } else {
                v = v * 10 + (b - '0');
            }
        }
        if (read() != '\n') {
            throw new IOException("a line without its LF at offset " + offset);
        }
        return negative ? -v : v;
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the source closed the connection");
        }
        offset++;
        return b;
    }

    /** A line up to CRLF (not counted: the snapshot's header is not part of the stream). */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the source closed the connection");
            }
            out.write(b);
        }
        if (in.read() != '\n') {
            throw new IOException("a line without its LF");
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
