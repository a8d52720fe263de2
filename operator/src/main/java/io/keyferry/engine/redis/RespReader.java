package io.keyferry.engine.redis;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2 replies parsed straight from a socket's bytes, for {@link RespConnection}: a simple string or bulk as
 * {@code byte[]}, an integer as {@code Long}, an error as {@link Resp.Error}, an array as a {@code List}, a nil as
 * null. Every length and depth a server declares is checked against what a store can send before anything is
 * allocated for it, so a broken or hostile server gets an IOException naming what was wrong, never a stack
 * overflow or an allocation of its choosing.
 */
final class RespReader {
    /** Replies nest a few levels (XINFO STREAM FULL, the deepest KeyFerry reads, five); deeper is not a reply. */
    static final int MAX_DEPTH = 32;
    /** More replies in one array than any command KeyFerry sends can get back (a page, a small key, CONFIG GET). */
    static final int MAX_ARRAY = 1 << 20;
    /** A status or error line longer than any a store sends. */
    static final int MAX_LINE = Resp.MAX_LINE;

    private final InputStream in;
    private final byte[] rbuf = new byte[1 << 16];
    private int rpos;
    private int rlim;

    RespReader(InputStream in) {
        this.in = in;
    }

    Object reply() throws IOException {
        return nested(0);
    }

    /** Bulk bytes the reply being read may still hold; past them it is read through and dropped. */
    private long left = Long.MAX_VALUE;
    private boolean over;

    /**
     * One reply holding at most {@code budget} bytes of bulk strings, or {@link Resp#OVER_BUDGET} where it holds more:
     * the rest of it is then read off the socket and dropped, so a value too big for the room it was asked for (a
     * hash of 400 fields of 1 MiB, small by its count) costs its transfer, not its memory.
     */
    Object reply(long budget) throws IOException {
        left = budget;
        over = false;
        try {
            Object reply = nested(0);
            return over ? Resp.OVER_BUDGET : reply;
        } finally {
            left = Long.MAX_VALUE;
            over = false;
        }
    }

    /** The bytes not read yet, those already buffered first: for a protocol that takes the socket over. */
    InputStream rest() {
        if (rpos == rlim) {
            return in; // nothing buffered: the stream itself, whose available() then tells what the socket holds
        }
        return new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(rbuf, rpos, rlim - rpos), in);
    }

    /**
     * One reply, checked against what a store can send before anything is allocated for it: a hostile or broken
     * server gets a clear error (and the connection closed), never a stack overflow or an allocation it chose.
     */
    Object nested(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("a reply nests arrays more than " + MAX_DEPTH + " deep, which no command KeyFerry sends gets");
        }
        return replyOf(readByte(), depth);
    }

    /** The rest of a reply whose first byte was {@code kind}. */
    Object replyOf(byte kind, int depth) throws IOException {
        switch (kind) {
            case '+':
                return line();
            case '-':
                return new Resp.Error(new String(line(), StandardCharsets.UTF_8));
            case ':':
                return number();
            case '$': {
                long n = number();
                if (n < 0) {
                    return nil(n, "bulk string");
                }
                if (!admitted(n)) {
                    return null;
                }
                byte[] value = new byte[Math.toIntExact(bulkLength(n))];
                readFully(value);
                readByte(); // CR
                readByte(); // LF
                return value;
            }
            case '*': {
                long n = number();
                if (n < 0) {
                    return nil(n, "array");
                }
                arrayLength(n);
                List<Object> items = new ArrayList<>((int) Math.min(n, 1 << 16));
                for (long i = 0; i < n; i++) {
                    items.add(nested(depth + 1));
                }
                return items;
            }
            default:
                throw new NotResp("not a RESP2 reply (first byte " + (kind & 0xff) + ")", kind & 0xff);
        }
    }

    /**
     * One reply digested as it is read ({@link Digest}; {@link ReplyDigester} walks it): no array per element, the bulk
     * strings counted against {@code budget} as {@link #reply(long)} counts them. An error or a nil is returned as it
     * is; a reply laid out otherwise than {@code shape} says is read through and gives {@link Digest#UNREADABLE}.
     */
    Object digest(Digest.Shape shape, long budget) throws IOException {
        left = budget;
        over = false;
        try {
            Object digest = digester.digest(shape);
            return over ? Resp.OVER_BUDGET : digest;
        } finally {
            left = Long.MAX_VALUE;
            over = false;
        }
    }

    private final ReplyDigester digester = new ReplyDigester(this);

    static long arrayLength(long n) throws IOException {
        if (n > MAX_ARRAY) {
            throw new IOException("a reply says it holds " + n + " replies, more than any command KeyFerry sends gets ("
                    + MAX_ARRAY + ")");
        }
        return n;
    }

    /** A bulk string of {@code n} bytes digested where it lies in the buffer (copied out only where it spans reads). */
    long bulkDigest(long n) throws IOException {
        if (!admitted(n)) {
            return 0;
        }
        int length = Math.toIntExact(bulkLength(n));
        long h;
        if (rlim - rpos >= length) {
            h = Digest.bytes(rbuf, rpos, length);
            rpos += length;
        } else {
            byte[] value = new byte[length];
            readFully(value);
            h = Digest.bytes(value, 0, length);
        }
        readByte(); // CR
        readByte(); // LF
        return h;
    }

    /**
     * Whether the next bulk string, of {@code n} bytes, fits what the reply may still hold: counted against it if so;
     * else it and every later one of the reply are read through and dropped.
     */
    private boolean admitted(long n) throws IOException {
        if (over || n > left) {
            over = true;
            skip(n + 2);
            return false;
        }
        left -= n;
        return true;
    }

    /** -1 is RESP2's nil; any other negative length is not RESP. */
    static Object nil(long n, String what) throws IOException {
        if (n != -1) {
            throw new IOException("a " + what + " of length " + n);
        }
        return null;
    }

    /** See {@link #bulkLength}: asked once, as the heap's limit is fixed (asking per value cost 7% of a verification). */
    private static final long MOST_BULK = Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 4);

    /**
     * A bulk string's length, when this process can hold it: a quarter of the heap at most (a value that big is read
     * in ranges, never whole), so a length a server merely declares cannot exhaust the memory.
     */
    private static long bulkLength(long n) throws IOException {
        if (n > MOST_BULK) {
            throw new IOException("a reply says it is a value of " + n + " bytes, more than this process holds at once ("
                    + MOST_BULK + " bytes, a quarter of its heap)");
        }
        return n;
    }

    long number() throws IOException {
        // Most numbers and their CRLF are in the buffer already: read them there.
        int i = rpos;
        boolean negative = i < rlim && rbuf[i] == '-';
        if (negative) {
            i++;
        }
        long n = 0;
        for (; i < rlim; i++) {
            byte b = rbuf[i];
            if (b == '\r') {
                if (i + 1 < rlim) {
                    rpos = i + 2;
                    return negative ? -n : n;
                }
                break;
            }
            if (b < '0' || b > '9' || n > MAX_NUMBER) {
                throw notANumber(b);
            }
            n = n * 10 + (b - '0');
        }
        return numberAcrossReads();
    }

    private long numberAcrossReads() throws IOException {
        long n = 0;
        boolean negative = false;
        byte b = readByte();
        if (b == '-') {
            negative = true;
            b = readByte();
        }
        while (b != '\r') {
            if (b < '0' || b > '9' || n > MAX_NUMBER) {
                throw notANumber(b);
            }
            n = n * 10 + (b - '0');
            b = readByte();
        }
        readByte(); // LF
        return negative ? -n : n;
    }

    /** Past this, one more digit could overflow a long. */
    private static final long MAX_NUMBER = (Long.MAX_VALUE - 9) / 10;

    private static IOException notANumber(byte b) {
        return b >= '0' && b <= '9' ? new IOException("a number in a reply is longer than 18 digits")
                : new NotResp("not a RESP2 number (byte " + (b & 0xff) + ")", -1);
    }

    private byte[] line() throws IOException {
        int start = rpos;
        for (int i = rpos; i < rlim; i++) {
            if (rbuf[i] == '\r') {
                if (i + 1 < rlim) {
                    rpos = i + 2;
                    return java.util.Arrays.copyOfRange(rbuf, start, i);
                }
                break;
            }
        }
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        byte b;
        while ((b = readByte()) != '\r') {
            if (line.size() >= MAX_LINE) {
                throw new IOException("a status or error line goes on past " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        readByte(); // LF
        return line.toByteArray();
    }

    byte readByte() throws IOException {
        if (rpos == rlim) {
            fill();
        }
        return rbuf[rpos++];
    }

    void readFully(byte[] into) throws IOException {
        int done = Math.min(into.length, rlim - rpos);
        System.arraycopy(rbuf, rpos, into, 0, done);
        rpos += done;
        while (done < into.length) {
            if (into.length - done >= rbuf.length) {
                int n = in.read(into, done, into.length - done);
                if (n < 0) {
                    throw new EOFException("the server closed the connection");
                }
                done += n;
            } else {
                fill();
                int n = Math.min(into.length - done, rlim - rpos);
                System.arraycopy(rbuf, rpos, into, done, n);
                rpos += n;
                done += n;
            }
        }
    }

    /** Reads {@code n} bytes and keeps none. */
    private void skip(long n) throws IOException {
        while (n > 0) {
            if (rpos == rlim) {
                fill();
            }
            int step = (int) Math.min(n, rlim - rpos);
            rpos += step;
            n -= step;
        }
    }

    private void fill() throws IOException {
        int n = in.read(rbuf, 0, rbuf.length);
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        rpos = 0;
        rlim = n;
    }
}
