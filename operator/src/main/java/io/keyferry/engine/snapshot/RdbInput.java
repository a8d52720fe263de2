package io.keyferry.engine.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A snapshot's bytes as they stream in, read through a buffer of its own, and optionally recorded: the bytes of the
 * entry being walked are kept (up to a cap, past which recording stops and the entry counts as too big to keep), so
 * that they can be sent on as a RESTORE payload without being decoded. Or one serialized value held in memory
 * ({@link RdbValue}), read the same way. Lengths and strings are decoded here, as Redis encodes them (rdb.c).
 */
final class RdbInput {
    /** Redis' own bound on a string (proto-max-bulk-len's default): a longer one is a damaged snapshot. */
    private static final int MAX_STRING = 512 << 20;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** Bytes the snapshot has left ({@code $<length>} transfers), or -1 (a diskless transfer, ended by a mark). */
    private long left;
    private long consumed;

    private byte[] record;
    private int recorded;
    private boolean recording;
    private int cap;
    private boolean overCap;

    RdbInput(InputStream in) {
        this.in = in;
        this.buf = new byte[1 << 20];
        this.left = -1;
    }

    /** The first {@code length} bytes of {@code value}, and nothing after them. */
    RdbInput(byte[] value, int length) {
        this.in = null;
        this.buf = value;
        this.limit = length;
        this.left = 0;
    }

    /** Whether every byte (of a value in memory) was read. */
    boolean atEnd() {
        return pos == limit && left == 0;
    }

    /** A length: 6, 14, 32 or 64 bits. */
    long length() throws IOException {
        int b = read();
        return switch (b >> 6) {
            case 0 -> b & 0x3F;
            case 1 -> ((long) (b & 0x3F) << 8) | read();
            case 2 -> wide(b);
            default -> throw new IOException("an encoded string where a length was expected: " + b);
        };
    }

    /** A length's 32- or 64-bit form, after its first byte {@code b}. */
    long wide(int b) throws IOException {
        if (b == 0x80) {
            return be(4);
        }
        if (b == 0x81) {
            return be(8);
        }
        throw new IOException("length encoding " + b + " is not known");
    }

    /** A string, decoded: raw, an integer (as its decimal text) or LZF-compressed (inflated). */
    byte[] string() throws IOException {
        int b = read();
        return switch (b >> 6) {
            case 0 -> bytes(b & 0x3F);
            case 1 -> bytes((int) (((long) (b & 0x3F) << 8) | read()));
            case 2 -> bytes(Math.toIntExact(wide(b)));
            default -> switch (b & 0x3F) {
                case 0 -> text((byte) read());
                case 1 -> text((short) le(2));
                case 2 -> text((int) le(4));
                case 3 -> {
                    int compressed = Math.toIntExact(length());
                    int length = Math.toIntExact(length());
                    if (length > MAX_STRING) {
                        throw new IOException("a compressed string of " + length + " bytes: more than Redis allows");
                    }
                    yield Lzf.decompress(bytes(compressed), length);
                }
                default -> throw new IOException("string encoding " + (b & 0x3F) + " is not known");
            };
        };
    }

    private static byte[] text(long n) {
        return Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The snapshot is {@code length} bytes from here ({@code $<length>}): what follows it is never read. */
    void limitTo(long length) {
        int buffered = limit - pos;
        if (buffered >= length) {
            limit = pos + (int) length;
            left = 0;
        } else {
            left = length - buffered;
        }
    }

    long consumed() {
        return consumed;
    }

    int read() throws IOException {
        if (pos == limit) {
            fill();
        }
        int b = buf[pos++] & 0xFF;
        consumed++;
        if (recording) {
            keep(b);
        }
        return b;
    }

    /** Reads n bytes into a new array (a key, a name). */
    byte[] bytes(int n) throws IOException {
        if (in == null ? n > limit - pos : n > MAX_STRING) { // before making an array of a damaged length's size
            throw new IOException(in == null ? "a serialized value ends early" : "a string of " + n + " bytes: more than Redis allows");
        }
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (pos == limit) {
                fill();
            }
            int k = Math.min(n - done, limit - pos);
            System.arraycopy(buf, pos, out, done, k);
            if (recording) {
                keep(buf, pos, k);
            }
            pos += k;
            done += k;
        }
        consumed += n;
        return out;
    }

    /** Passes over n bytes, recording them where the entry is recorded: no array of their size is made. */
    void skip(long n) throws IOException {
        long todo = n;
        while (todo > 0) {
            if (pos == limit) {
                fill();
            }
            int k = (int) Math.min(todo, limit - pos);
            if (recording) {
                keep(buf, pos, k);
            }
            pos += k;
            todo -= k;
        }
        consumed += n;
    }

    long le(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) read() << (8 * i);
        }
        return v;
    }

    long be(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | read();
        }
        return v;
    }

    /** Starts recording an entry: its first byte (the value type) is given; at most {@code cap} bytes are kept. */
    void startRecording(int type, int cap) {
        if (record == null) {
            record = new byte[1 << 16];
        }
        this.cap = cap;
        this.recorded = 0;
        this.overCap = false;
        this.recording = true;
        keep(type);
    }

    /** Stops recording: the entry is too big to be kept (it is copied another way). */
    void giveUp() {
        recording = false;
        overCap = true;
    }

    /** Stops recording; true when the whole entry was kept. */
    boolean stopRecording() {
        recording = false;
        return !overCap;
    }

    /** Appends the RDB version and the CRC-64 to the recorded entry, making it a RESTORE payload; returns its length. */
    int sealPayload(int version) {
        ensure(recorded + 10);
        record[recorded++] = (byte) version;
        record[recorded++] = (byte) (version >> 8);
        long crc = Crc64.of(record, recorded);
        for (int i = 0; i < 8; i++) {
            record[recorded++] = (byte) (crc >>> (8 * i));
        }
        return recorded;
    }

    int recordedLength() {
        return recorded;
    }

    /** The recorded bytes (valid up to the length {@link #sealPayload} returned, until the next recording). */
    byte[] recorded() {
        return record;
    }

    private void keep(int b) {
        if (recorded + 1 > cap) {
            giveUp();
            return;
        }
        ensure(recorded + 1);
        record[recorded++] = (byte) b;
    }

    private void keep(byte[] from, int off, int n) {
        if (recorded + n > cap) {
            giveUp();
            return;
        }
        ensure(recorded + n);
        System.arraycopy(from, off, record, recorded, n);
        recorded += n;
    }

    private void ensure(int size) {
        if (size > record.length) {
            record = Arrays.copyOf(record, Math.max(size, record.length * 2));
        }
    }

    private void fill() throws IOException {
        if (left == 0) {
            throw new EOFException(in == null ? "a serialized value ends early" : "the snapshot ended inside an entry");
        }
        int want = left < 0 ? buf.length : (int) Math.min(buf.length, left);
        int n = in.read(buf, 0, want);
        if (n < 0) {
            throw new EOFException("the source closed the connection inside the snapshot");
        }
        if (left > 0) {
            left -= n;
        }
        pos = 0;
        limit = n;
    }

    /** The header's line, read byte by byte before any limit applies. */
    String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = read(); c != '\n'; c = read()) {
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }
}
