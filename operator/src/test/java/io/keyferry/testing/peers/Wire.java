package io.keyferry.testing.peers;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2 as a store double speaks it: commands read from a client, replies written to it, and replies read back
 * from the real redis-server behind it. A reply is a {@link Simple}, an {@link Err}, a {@code Long}, a
 * {@code byte[]} bulk, {@code null} for a nil, or a {@code List<Object>} of replies.
 */
public final class Wire {
    private Wire() {}

    public record Simple(String text) {}

    public record Err(String text) {}

    /** Bytes written as they are, RESP or not; with {@code thenClose} the double closes the connection after them. */
    public record Raw(byte[] bytes, boolean thenClose) {}

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A client's command (an array of bulk strings), or null when the client has closed the connection. */
    public static List<byte[]> readCommand(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first != '*') {
            throw new IOException("not a RESP command (first byte " + first + ")");
        }
        int n = (int) number(in);
        List<byte[]> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.read() != '$') {
                throw new IOException("a command's argument is not a bulk string");
            }
            args.add(bulk(in, (int) number(in)));
        }
        return args;
    }

    /** A reply from the server behind the double. */
    public static Object readReply(InputStream in) throws IOException {
        int kind = in.read();
        switch (kind) {
            case '+':
                return new Simple(line(in));
            case '-':
                return new Err(line(in));
            case ':':
                return number(in);
            case '$': {
                long n = number(in);
                return n < 0 ? null : bulk(in, (int) n);
            }
            case '*': {
                long n = number(in);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    items.add(readReply(in));
                }
                return items;
            }
            case -1:
                throw new EOFException("the server closed the connection");
            default:
                throw new IOException("not a RESP2 reply (first byte " + kind + ")");
        }
    }

    public static void writeCommand(OutputStream out, List<byte[]> args) throws IOException {
        header(out, '*', args.size());
        for (byte[] a : args) {
            writeBulk(out, a);
        }
    }

    public static void writeReply(OutputStream out, Object reply) throws IOException {
        if (reply instanceof Simple s) {
            out.write('+');
            out.write(bytes(s.text()));
            out.write(CRLF);
        } else if (reply instanceof Err e) {
            out.write('-');
            out.write(bytes(e.text()));
            out.write(CRLF);
        } else if (reply instanceof Long n) {
            header(out, ':', n);
        } else if (reply instanceof Raw raw) {
            out.write(raw.bytes());
            if (raw.thenClose()) {
                out.flush();
                throw new EOFException("the double closes the connection after a raw reply");
            }
        } else if (reply instanceof byte[] b) {
            writeBulk(out, b);
        } else if (reply == null) {
            out.write(bytes("$-1\r\n"));
        } else if (reply instanceof List<?> items) {
            header(out, '*', items.size());
            for (Object item : items) {
                writeReply(out, item);
            }
        } else {
            throw new IllegalArgumentException("not a reply: " + reply);
        }
    }

    /** The reply as RESP bytes (Kvrocks' ZMSCORE sends them inside a bulk string). */
    public static byte[] encode(Object reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeReply(out, reply);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static void header(OutputStream out, char kind, long n) throws IOException {
        out.write(kind);
        out.write(bytes(Long.toString(n)));
        out.write(CRLF);
    }

    private static void writeBulk(OutputStream out, byte[] b) throws IOException {
        header(out, '$', b.length);
        out.write(b);
        out.write(CRLF);
    }

    private static long number(InputStream in) throws IOException {
        return Long.parseLong(line(in));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new EOFException("the connection closed inside a line");
            }
            line.write(b);
        }
        in.read(); // LF
        return line.toString(StandardCharsets.UTF_8);
    }

    private static byte[] bulk(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("the connection closed inside a bulk string");
        }
        in.read(); // CR
        in.read(); // LF
        return b;
    }
}
