package io.keyferry.engine.snapshot;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Counters;
import io.keyferry.engine.copy.Outcome;
import io.keyferry.engine.redis.GatheredInput;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RESTOREs into the target, pipelined: commands are sent a batch at a time (so many keys, or 1 MiB), and the replies
 * that have arrived are checked after each batch, without waiting for the rest; only when {@link #WINDOW} batches are
 * still unanswered does the walk wait for the oldest one, so it never waits for a round trip. The replies are read
 * in bulk on the walk's own thread: a thread of their own woke for every few replies the target wrote, and on a
 * virtual machine each wake-up costs more than the replies' checking. Where the target may hold the key already, an
 * EXISTS goes before each RESTORE ... REPLACE, so that a replaced key is counted as overwritten and a new one as
 * written.
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
    /** Replies read and not yet checked: [replyPos, replyLimit). */
    private byte[] replyBuf = new byte[1 << 16];
    private int replyPos;
    private int replyLimit;
    private final boolean counted;
    private final int batchKeys;
    /** Batches sent whose replies are not all checked, oldest first. */
    private final ArrayDeque<Batch> unanswered = new ArrayDeque<>();
    private final Counters counters = new Counters();
    /** Grown as a batch needs (up to about BATCH_BYTES and one entry): a cluster target has one of these per master. */
    private byte[] pending = new byte[1 << 16];
    private int length;
    private Batch batch = new Batch();

    /** The keys of a batch, in order, and their types, for counting and for naming a refused key. */
    private static final class Batch {
        final List<byte[]> keys = new ArrayList<>();
        final List<DataType> types = new ArrayList<>();
        /** Keys whose replies were checked. */
        int answered;
        /** Whether the EXISTS reply of key {@code answered} was read and said it exists (counted mode). */
        boolean existed;
        /** Whether that EXISTS reply was read and its RESTORE's is next. */
        boolean existsRead;
    }

    /**
     * @param counted the target may hold some of these keys: each is asked about first, so it is counted as it ends
     */
    Restores(RespConnection target, boolean counted, int batchKeys) {
        this.link = target.detach();
        this.out = link.out();
        this.in = new GatheredInput(link.in(), link.socket());
        this.counted = counted;
        this.batchKeys = batchKeys;
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
            send();
            checkArrived();
            while (unanswered.size() > WINDOW) {
                awaitReplies();
            }
        }
    }

    /** Sends what is queued and waits for every reply; returns what the RESTOREs did. */
    Counters finish() throws IOException {
        if (!batch.keys.isEmpty()) {
            send();
        }
        while (!unanswered.isEmpty()) {
            awaitReplies();
        }
        return counters;
    }

    private void send() throws IOException {
        out.write(pending, 0, length);
        out.flush();
        length = 0;
        unanswered.add(batch);
        batch = new Batch();
    }

    /** Checks the replies that have arrived, without waiting for any. */
    private void checkArrived() throws IOException {
        if (in.available() > 0) {
            fill();
            checkReplies();
        }
    }

    /** Waits for more replies, then checks every whole one there is. */
    private void awaitReplies() throws IOException {
        fill();
        checkReplies();
    }

    /** Checks the whole replies read, in the order of the keys sent; a reply cut off by the end waits for the rest. */
    private void checkReplies() {
        while (!unanswered.isEmpty()) {
            int end = lineEnd();
            if (end < 0) {
                return;
            }
            Batch b = unanswered.peek();
            byte[] key = b.keys.get(b.answered);
            if (counted && !b.existsRead) {
                b.existed = exists(key, end);
                b.existsRead = true;
            } else {
                if (!(end - replyPos == 3 && replyBuf[replyPos] == '+' && replyBuf[replyPos + 1] == 'O'
                        && replyBuf[replyPos + 2] == 'K')) {
                    String reply = text(end);
                    throw new IllegalStateException(link.label() + ": RESTORE of " + Keys.show(key) + " answered "
                            + reply + (reply.startsWith("-MOVED") || reply.startsWith("-ASK")
                            ? "; the target cluster's slots moved during the snapshot backfill: run again, and the"
                            + " snapshot is taken again against the new topology" : ""));
                }
                counters.add(b.types.get(b.answered), b.existed ? Outcome.OVERWRITTEN : Outcome.WRITTEN);
                b.existed = false;
                b.existsRead = false;
                if (++b.answered == b.keys.size()) {
                    unanswered.remove();
                }
            }
            replyPos = end + 2;
        }
    }

    /** Where the reply at replyPos ends (its CR), or -1 if its CRLF has not been read yet. */
    private int lineEnd() {
        for (int i = replyPos; i + 1 < replyLimit; i++) {
            if (replyBuf[i] == '\r' && replyBuf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** EXISTS of one key answers :1 or :0; anything else is refused, naming the target (not parsed as a number). */
    private boolean exists(byte[] key, int end) {
        if (end - replyPos == 2 && replyBuf[replyPos] == ':' && (replyBuf[replyPos + 1] == '0' || replyBuf[replyPos + 1] == '1')) {
            return replyBuf[replyPos + 1] == '1';
        }
        throw new IllegalStateException(link.label() + ": EXISTS " + Keys.show(key) + " answered " + text(end));
    }

    private String text(int end) {
        return new String(replyBuf, replyPos, end - replyPos, StandardCharsets.UTF_8);
    }

    /** Reads what fits after the bytes left unchecked (blocking until there is some). */
    private void fill() throws IOException {
        int left = replyLimit - replyPos;
        if (left == replyBuf.length) { // one long error reply; a line with no end is not a reply
            if (left >= Resp.MAX_LINE) {
                throw new IOException(link.label() + " sent a reply line longer than " + Resp.MAX_LINE + " bytes");
            }
            replyBuf = Arrays.copyOf(replyBuf, replyBuf.length * 2);
        }
        System.arraycopy(replyBuf, replyPos, replyBuf, 0, left);
        replyPos = 0;
        replyLimit = left;
        int n = in.read(replyBuf, replyLimit, replyBuf.length - replyLimit);
        if (n < 0) {
            throw new EOFException(link.label() + " closed the connection");
        }
        replyLimit += n;
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
            pending = Arrays.copyOf(pending, Math.max(length + more, pending.length * 2));
        }
    }

    @Override
    public void close() {
        link.close();
    }
}
