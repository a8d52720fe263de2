package io.keyferry.engine.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A snapshot's bytes as they stream in, read through a buffer of its own, and optionally recorded: the bytes of the
 * entry being walked are kept (up to a cap, past which recording stops and the entry counts as too big to keep), so
 * that they can be sent on as a RESTORE payload without being decoded.
 */
final class RdbInput {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 20];
    private int pos;
    private int limit;
    /** Bytes the snapshot has left ({@code $<length>} transfers), or -1 (a diskless transfer, ended by a mark). */
    private long left;
    private long consumed;

    private byte[] record = new byte[1 << 16];
    private int recorded;
    private boolean recording;
    private int cap;
    private boolean overCap;

    RdbInput(InputStream in) {
        this.in = in;
        this.left = -1;
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
            throw new EOFException("the snapshot ended inside an entry");
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
