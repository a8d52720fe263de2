import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An RDB-based backfill, for measuring it against the SCAN-based copy (bench/copy.sh RDB=1): connects to the source as
 * a replica (PSYNC ? -1), walks the snapshot as it streams in, and sends each key to the target as RESTORE with the
 * entry's own bytes as the payload (no value decoded: the RDB body of a key is what DUMP gives, plus the RDB version
 * and a CRC64), 500 to a pipeline, REPLACE and ABSTTL, replies read on a thread of their own. Prints the seconds from PSYNC to the last reply, the keys and
 * the snapshot's bytes.
 *
 * <p>A measurement, not a feature: no policies (every key is replaced), no checkpoint (a kill starts over), no big-key
 * chunking (a key is one RESTORE, however big), databases other than 0 and streams and module types are refused.
 *
 * <p>Usage: java bench/RdbBackfill.java SOURCE_PORT TARGET_PORT
 */
public final class RdbBackfill {
    private static final int BATCH = 500;

    public static void main(String[] args) throws IOException {
        int sourcePort = Integer.parseInt(args[0]);
        int targetPort = Integer.parseInt(args[1]);
        long t0 = System.nanoTime();
        try (Socket source = new Socket("127.0.0.1", sourcePort); Socket target = new Socket("127.0.0.1", targetPort)) {
            Rdb rdb = new Rdb(new BufferedInputStream(source.getInputStream(), 1 << 20));
            OutputStream out = source.getOutputStream();
            command(out, "REPLCONF", "listening-port", "0");
            expect(rdb.line(), "+OK");
            command(out, "REPLCONF", "capa", "eof", "capa", "psync2");
            expect(rdb.line(), "+OK");
            command(out, "PSYNC", "?", "-1");
            String reply = rdb.line();
            while (reply.isEmpty()) {
                reply = rdb.line();
            }
            if (!reply.startsWith("+FULLRESYNC")) {
                throw new IOException("PSYNC answered " + reply);
            }
            Target t = new Target(target);
            long keys = rdb.entries(t);
            t.finish();
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("rdb backfill %.3f s, %d keys, %d snapshot bytes%n", seconds, keys, rdb.bytes);
        }
    }

    private static void expect(String line, String want) throws IOException {
        if (!line.equals(want)) {
            throw new IOException("expected " + want + ", got " + line);
        }
    }

    static void command(OutputStream out, Object... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (Object a : args) {
            byte[] bytes = a instanceof byte[] raw ? raw : a.toString().getBytes(StandardCharsets.UTF_8);
            b.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(bytes);
            b.write('\r');
            b.write('\n');
        }
        b.writeTo(out);
        out.flush();
    }

    /**
     * The target: RESTOREs sent BATCH at a time while a thread of its own reads and checks the replies, at most 20
     * batches ahead of them (the walk never waits for a round trip).
     */
    static final class Target {
        private final OutputStream out;
        private final InputStream in;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(1 << 20);
        private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(20);
        private final java.util.concurrent.BlockingQueue<Integer> sent = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Thread replies;
        private volatile IOException failed;
        private int queued;

        Target(Socket s) throws IOException {
            this.out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            this.in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            this.replies = new Thread(this::readReplies, "replies");
            replies.setDaemon(true);
            replies.start();
        }

        void restore(byte[] key, long expireAt, byte[] payload) throws IOException {
            command(pending, "RESTORE", key, Long.toString(Math.max(0, expireAt)), payload, "REPLACE", "ABSTTL");
            if (++queued == BATCH) {
                flush();
            }
        }

        void finish() throws IOException {
            flush();
            sent.add(-1);
            try {
                replies.join();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (failed != null) {
                throw failed;
            }
        }

        private void flush() throws IOException {
            if (queued == 0) {
                return;
            }
            if (failed != null) {
                throw failed;
            }
            window.acquireUninterruptibly();
            pending.writeTo(out);
            out.flush();
            pending.reset();
            sent.add(queued);
            queued = 0;
        }

        private void readReplies() {
            try {
                for (int n = sent.take(); n >= 0; n = sent.take()) {
                    for (; n > 0; n--) {
                        String line = readLine(in);
                        if (!line.equals("+OK")) {
                            throw new IOException("RESTORE answered " + line);
                        }
                    }
                    window.release();
                }
            } catch (IOException e) {
                failed = e;
                window.release(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException();
            }
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    /** The snapshot as it streams in: its header, then entries, each kept as bytes while it is walked. */
    static final class Rdb {
        private final InputStream in;
        private final ByteArrayOutputStream value = new ByteArrayOutputStream(1 << 16);
        private boolean recording;
        private byte[] eofMark;
        private final java.util.ArrayDeque<Integer> window = new java.util.ArrayDeque<>();
        long bytes;
        private long left = -1;

        Rdb(InputStream in) {
            this.in = in;
        }

        String line() throws IOException {
            return readLine(in);
        }

        private int read() throws IOException {
            if (left == 0) {
                throw new EOFException("past the end of the snapshot");
            }
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the source closed the connection inside the snapshot");
            }
            left--;
            bytes++;
            if (recording) {
                value.write(c);
            }
            return c;
        }

        private byte[] read(int n) throws IOException {
            if (left >= 0 && n > left) {
                throw new EOFException("past the end of the snapshot");
            }
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new EOFException("the source closed the connection inside the snapshot");
            }
            left -= n;
            bytes += n;
            if (recording) {
                value.write(b, 0, n);
            }
            return b;
        }

        /** Walks every entry, restoring each into the target; returns how many keys there were. */
        long entries(Target target) throws IOException {
            String header = line();
            while (header.isEmpty()) {
                header = line();
            }
            if (header.startsWith("$EOF:")) {
                eofMark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
            } else {
                left = Long.parseLong(header.substring(1));
            }
            byte[] magic = read(9);
            int version = Integer.parseInt(new String(magic, 5, 4, StandardCharsets.US_ASCII));
            long keys = 0;
            long expireAt = -1;
            while (true) {
                int type = read();
                switch (type) {
                    case 0xFA -> { string(); string(); }              // AUX
                    case 0xFB -> { length(); length(); }              // RESIZEDB
                    case 0xFE -> {                                    // SELECTDB
                        long db = length();
                        if (db != 0) {
                            throw new IOException("database " + db + ": only database 0 is copied here");
                        }
                    }
                    case 0xFC -> expireAt = le(read(8));              // EXPIRETIME_MS
                    case 0xFD -> expireAt = le(read(4)) * 1000;       // EXPIRETIME
                    case 0xF8 -> length();                            // IDLE
                    case 0xF9 -> read();                              // FREQ
                    case 0xF5 -> string();                            // FUNCTION2
                    case 0xFF -> {                                    // EOF, the checksum, then the diskless mark
                        read(8);
                        if (eofMark != null) {
                            read(eofMark.length);
                        }
                        return keys;
                    }
                    default -> {
                        byte[] key = string();
                        value.reset();
                        value.write(type);
                        recording = true;
                        value(type);
                        recording = false;
                        value.write(version & 0xFF);
                        value.write(version >> 8);
                        long crc = Crc64.of(value.toByteArray());
                        for (int i = 0; i < 8; i++) {
                            value.write((int) (crc >>> (8 * i)) & 0xFF);
                        }
                        target.restore(key, expireAt, value.toByteArray());
                        expireAt = -1;
                        keys++;
                    }
                }
            }
        }

        /** Reads (and records) one value of this type. */
        private void value(int type) throws IOException {
            switch (type) {
                case 0, 9, 10, 11, 12, 13, 16, 17 -> string();        // a string, or one encoded blob
                case 1, 2 -> times(length(), 1);                     // list, set: strings
                case 4 -> times(length(), 2);                        // hash: field, value
                case 14 -> times(length(), 1);                       // quicklist: ziplists
                case 18 -> {                                          // quicklist 2: container, blob
                    for (long n = length(); n > 0; n--) {
                        length();
                        string();
                    }
                }
                case 3 -> {                                           // zset, scores as strings
                    for (long n = length(); n > 0; n--) {
                        string();
                        int len = read();
                        if (len < 253) {
                            read(len);
                        }
                    }
                }
                case 5 -> {                                           // zset 2: member, binary double
                    for (long n = length(); n > 0; n--) {
                        string();
                        read(8);
                    }
                }
                default -> throw new IOException("value type " + type + " (a stream or a module type) is not handled here");
            }
        }

        private void times(long n, int each) throws IOException {
            for (long i = 0; i < n * each; i++) {
                string();
            }
        }

        private long length() throws IOException {
            int b = read();
            return switch (b >> 6) {
                case 0 -> b & 0x3F;
                case 1 -> ((long) (b & 0x3F) << 8) | read();
                case 2 -> b == 0x80 ? be(read(4)) : be(read(8));
                default -> throw new IOException("an encoded length where a length was expected: " + b);
            };
        }

        private byte[] string() throws IOException {
            int b = read();
            if (b >> 6 != 3) {
                long n = switch (b >> 6) {
                    case 0 -> b & 0x3F;
                    case 1 -> ((long) (b & 0x3F) << 8) | read();
                    default -> b == 0x80 ? be(read(4)) : be(read(8));
                };
                return read((int) n);
            }
            return switch (b & 0x3F) {
                case 0 -> read(1);
                case 1 -> read(2);
                case 2 -> read(4);
                case 3 -> {                                           // LZF: compressed length, length, bytes
                    long compressed = length();
                    length();
                    yield read((int) compressed);
                }
                default -> throw new IOException("string encoding " + (b & 0x3F));
            };
        }

        private static long le(byte[] b) {
            long v = 0;
            for (int i = b.length - 1; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xFF);
            }
            return v;
        }

        private static long be(byte[] b) {
            long v = 0;
            for (byte x : b) {
                v = (v << 8) | (x & 0xFF);
            }
            return v;
        }
    }

    /** Redis' CRC64 (Jones polynomial, reflected), as DUMP payloads carry it. */
    static final class Crc64 {
        private static final long[] TABLE = new long[256];

        static {
            long poly = 0x95AC9329AC4BC9B5L; // 0xad93d23594c935a9 reflected
            for (int i = 0; i < 256; i++) {
                long crc = i;
                for (int j = 0; j < 8; j++) {
                    crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
                }
                TABLE[i] = crc;
            }
        }

        static long of(byte[] data) {
            long crc = 0;
            for (byte b : data) {
                crc = TABLE[(int) ((crc ^ b) & 0xFF)] ^ (crc >>> 8);
            }
            return crc;
        }
    }
}
