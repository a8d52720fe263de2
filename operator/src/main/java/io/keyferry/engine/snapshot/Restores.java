package io.keyferry.engine.snapshot;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RespConnection;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * RESTOREs into the target, pipelined: commands are sent a batch at a time (so many keys, or 1 MiB) while a thread of
 * its own reads and checks the replies, at most {@link #WINDOW} batches behind, so the walk of the snapshot never
 * waits for a round trip. Where the target may hold the key already, an EXISTS goes before each RESTORE ... REPLACE,
 * so that a replaced key is counted as overwritten and a new one as written.
 */
final class Restores implements AutoCloseable {
    static final int WINDOW = 16;
    private static final int BATCH_BYTES = 1 << 20;
    private static final byte[] RESTORE = "RESTORE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXISTS = "EXISTS".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLACE = "REPLACE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ABSTTL = "ABSTTL".getBytes(StandardCharsets.US_ASCII);

    private final RespConnection.Detached link;
    private final OutputStream out;
    private final InputStream in;
    /** The replies as read, unsynchronized (one reader thread). */
    private final byte[] replyBuf = new byte[1 << 16];
    private int replyPos;
    private int replyLimit;
    private final boolean counted;
    private final int batchKeys;
    private final Semaphore window = new Semaphore(WINDOW);
    private final BlockingQueue<Batch> sent = new LinkedBlockingQueue<>();
    private final Counters counters = new Counters();
    private final Thread replies;
    /** Grown as a batch needs (up to about BATCH_BYTES and one entry): a cluster target has one of these per master. */
    private byte[] pending = new byte[1 << 16];
    private int length;
    private Batch batch = new Batch();
    private volatile Exception failed;

    /** The keys of a batch, in order, and their types, for counting and for naming a refused key. */
    private static final class Batch {
        final List<byte[]> keys = new ArrayList<>();
        final List<DataType> types = new ArrayList<>();
        boolean last;
    }

    /**
     * @param counted the target may hold some of these keys: each is asked about first, so it is counted as it ends
     */
    Restores(RespConnection target, boolean counted, int batchKeys) {
        this.link = target.detach();
        this.out = link.out();
        this.in = link.in();
        this.counted = counted;
        this.batchKeys = batchKeys;
        this.replies = new Thread(this::readReplies, "keyferry-restore-replies");
        replies.setDaemon(true);
        replies.start();
    }

    /** Queues the RESTORE of a key; expireAt in ms since the epoch, or -1 for none. */
    void restore(byte[] key, DataType type, long expireAt, byte[] payload, int payloadLength) throws IOException {
        if (counted) {
            array(2);
            bulk(EXISTS, EXISTS.length);
            bulk(key, key.length);
        }
        boolean ttl = expireAt > 0;
        array(ttl ? 6 : 5);
        bulk(RESTORE, RESTORE.length);
        bulk(key, key.length);
        number(ttl ? expireAt : 0);
        bulk(payload, payloadLength);
        bulk(REPLACE, REPLACE.length);
        if (ttl) {
            bulk(ABSTTL, ABSTTL.length);
        }
        batch.keys.add(key);
        batch.types.add(type);
        if (batch.keys.size() >= batchKeys || length >= BATCH_BYTES) {
            send(false);
        }
    }

    /** Sends what is queued and waits for every reply; returns what the RESTOREs did. */
    Counters finish() throws IOException {
        send(true);
        try {
            replies.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the target's last replies were awaited", e);
        }
        check();
        return counters;
    }

    private void send(boolean last) throws IOException {
        check();
        try {
            window.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        check();
        out.write(pending, 0, length);
        out.flush();
        length = 0;
        batch.last = last;
        sent.add(batch);
        batch = new Batch();
    }

    private void check() throws IOException {
        Exception e = failed;
        if (e instanceof IOException io) {
            throw io;
        }
        if (e != null) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void readReplies() {
        try {
            while (true) {
                Batch b = sent.take();
                Counters done = new Counters();
                for (int i = 0; i < b.keys.size(); i++) {
                    boolean existed = counted && number(b.keys.get(i)) == 1;
                    if (!ok()) {
                        String reply = line();
                        throw new IllegalStateException(link.label() + ": RESTORE of " + Keys.show(b.keys.get(i))
                                + " answered " + reply + (reply.startsWith("-MOVED") || reply.startsWith("-ASK")
                                ? "; the target cluster's slots moved during the snapshot backfill: run again, and the"
                                + " snapshot is taken again against the new topology" : ""));
                    }
                    done.add(b.types.get(i), existed ? Outcome.OVERWRITTEN : Outcome.WRITTEN);
                }
                synchronized (counters) {
                    counters.addAll(done);
                }
                window.release();
                if (b.last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failed = e;
            window.release(WINDOW + 1);
        }
    }

    /** Whether the next reply is +OK (read whole); otherwise only its first byte was read, and the rest is a line. */
    private boolean ok() throws IOException {
        if (peek() != '+') {
            return false;
        }
        if (next() == '+' && next() == 'O' && next() == 'K' && next() == '\r' && next() == '\n') {
            return true;
        }
        throw new IOException(link.label() + " sent a reply that is not RESP");
    }

    private long number(byte[] key) throws IOException {
        String reply = line();
        if (!reply.startsWith(":")) {
            throw new IllegalStateException(link.label() + ": EXISTS " + Keys.show(key) + " answered " + reply);
        }
        return Long.parseLong(reply.substring(1));
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = next(); c != '\n'; c = next()) {
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    private int peek() throws IOException {
        if (replyPos == replyLimit) {
            fill();
        }
        return replyBuf[replyPos] & 0xFF;
    }

    private int next() throws IOException {
        if (replyPos == replyLimit) {
            fill();
        }
        return replyBuf[replyPos++] & 0xFF;
    }

    private void fill() throws IOException {
        int n = in.read(replyBuf, 0, replyBuf.length);
        if (n < 0) {
            throw new EOFException(link.label() + " closed the connection");
        }
        replyPos = 0;
        replyLimit = n;
    }

    /** Counts so far (the replies read). */
    Counters counters() {
        synchronized (counters) {
            return counters.copy();
        }
    }

    private void array(int n) {
        ensure(16);
        pending[length++] = '*';
        digits(n);
    }

    /** A number (not negative) as a bulk string. */
    private void number(long n) {
        ensure(48);
        int size = 1;
        for (long x = n; x >= 10; x /= 10) {
            size++;
        }
        pending[length++] = '$';
        digits(size);
        digits(n);
    }

    private void bulk(byte[] b, int n) {
        ensure(n + 24);
        pending[length++] = '$';
        digits(n);
        System.arraycopy(b, 0, pending, length, n);
        length += n;
        pending[length++] = '\r';
        pending[length++] = '\n';
    }

    /** n in decimal, then CRLF (no string made: this runs several times per key). */
    private void digits(long n) {
        if (n < 0) {
            pending[length++] = '-';
            n = -n;
        }
        int start = length;
        do {
            pending[length++] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n > 0);
        for (int i = start, j = length - 1; i < j; i++, j--) {
            byte t = pending[i];
            pending[i] = pending[j];
            pending[j] = t;
        }
        pending[length++] = '\r';
        pending[length++] = '\n';
    }

    private void ensure(int more) {
        if (length + more > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(length + more, pending.length * 2));
        }
    }

    @Override
    public void close() {
        replies.interrupt();
        link.close();
    }
}
