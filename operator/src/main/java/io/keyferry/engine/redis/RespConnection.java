package io.keyferry.engine.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bare RESP2 connection to one server, for what a client library spends most of its time on:
 * <ul>
 *   <li>pipelines of many small commands ({@link Pipe}): a batch is encoded into one buffer and written
 *   with one call, and its replies are parsed straight from the socket's bytes (a DUMP's payload goes
 *   into its RESTORE without any other copy), about a tenth of the client CPU per command that
 *   Lettuce's per-command futures and event-loop hand-offs cost;</li>
 *   <li>a value bigger than the heap wants to hold, streamed into one SET ({@link #setStreamed}): the
 *   server reads it into its query buffer as it arrives and the SET itself then takes a few microseconds,
 *   where growing the string by APPEND or SETRANGE copies it again and again (tens of milliseconds per
 *   call at 50 MiB).</li>
 * </ul>
 * Commands are written while their replies wait in the server (Redis, Kvrocks and Pika keep reading a
 * client whose replies are pending), so the buffer is written out whenever it passes {@link #FLUSH_BYTES}
 * and memory stays bounded however big the batch. A store that stalls on long pipelines (Pika) gets a bound
 * ({@link #bound}): past it, the replies of what was sent are read before more is sent. A broken connection, or a
 * reply that cannot be parsed, fails every later call, so no reply is ever read out of step: the copy stops and a
 * new run resumes from its checkpoint, as with any lost connection.
 */
public final class RespConnection implements Pipe, AutoCloseable {
    static final int FLUSH_BYTES = 1 << 20;
    private static final byte[] CRLF = {'\r', '\n'};

    private final String label;
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;
    private final LongAdder sent;
    private final CommandBuffer buf = new CommandBuffer();
    private int queued;
    /** Replies read before {@link #sync()} to keep the pipeline within its bound, in order. */
    private final List<Object> early = new ArrayList<>();
    /** What is kept of the replies until the next sync; null: every reply whole. */
    private ReplyFilter filter;
    private int maxUnread = Integer.MAX_VALUE;
    private long maxUnreadBytes = Long.MAX_VALUE;
    /** Bytes of the commands sent since replies were last read. */
    private long unreadBytes;
    /** How long this server takes to answer a long pipeline, for {@link #awaitReplies}. */
    private ReplyNap nap = new ReplyNap();
    private boolean broken;
    /** Why the connection broke, for every later call to say: the first failure is the one worth reading. */
    private String brokenBy = "it was closed";

    /** @param sent counts the commands sent (a source's ops/s limit), or null */
    RespConnection(String label, Socket socket, LongAdder sent) throws IOException {
        this.label = label;
        this.socket = socket;
        this.out = new WriteDeadline(socket, socket.getOutputStream()); // a read has the socket's timeout; a write this
        this.in = new RespReader(socket.getInputStream());
        this.sent = sent;
    }

    @Override
    public String label() {
        return label;
    }

    /**
     * At most {@code commands} commands, or {@code bytes} bytes of them (one bigger command alone), are sent before
     * their replies are read; 0: no bound.
     */
    public void bound(int commands, long bytes) {
        maxUnread = commands > 0 ? commands : Integer.MAX_VALUE;
        maxUnreadBytes = bytes > 0 ? bytes : Long.MAX_VALUE;
    }

    @Override
    public int send(byte[]... args) {
        ensureOpen();
        int unread = queued - early.size();
        if (unread > 0 && (unread >= maxUnread || unreadBytes >= maxUnreadBytes)) {
            readUnread();
        }
        unreadBytes += buf.command(args);
        if (sent != null) {
            sent.increment();
        }
        if (buf.length() >= FLUSH_BYTES) {
            flush();
        }
        return queued++;
    }

    /** Another clock and sleeper (tests). */
    void napping(ReplyNap nap) {
        this.nap = nap;
    }

    @Override
    public void awaitReplies() {
        flush();
        nap.awaiting(queued - early.size());
    }

    /** How many long pipelines' replies {@link #awaitReplies} waited for (what tests can see of the naps). */
    public long longPipelinesAwaited() {
        return nap.awaited();
    }

    /** Sends what is queued and reads the replies of everything sent, keeping them for {@link #sync()}. */
    private void readUnread() {
        flush();
        int pending = queued - early.size();
        try {
            while (early.size() < queued) {
                early.add(filter == null ? in.reply() : filtered(early.size()));
            }
            nap.answered(pending);
            unreadBytes = 0;
        } catch (IOException | RuntimeException e) {
            queued = 0;
            early.clear();
            throw lost(e);
        }
    }

    private Object filtered(int at) throws IOException {
        Digest.Shape shape = filter.digesting(at);
        return filter.keep(at, shape == null ? in.reply(filter.budget()) : in.digest(shape, filter.budget()));
    }

    @Override
    public void flush() {
        if (buf.length() == 0) {
            return;
        }
        try {
            nap.writing(buf.length());
            buf.writeTo(out);
            out.flush();
            buf.clear(FLUSH_BYTES * 2);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    @Override
    public List<Object> sync() {
        try {
            readUnread();
        } finally {
            filter = null;
        }
        List<Object> replies = new ArrayList<>(early);
        early.clear();
        queued = 0;
        return replies;
    }

    @Override
    public void filtering(ReplyFilter filter) {
        this.filter = filter;
    }

    /** Sends one command of text arguments and returns its reply (AUTH, SELECT at login). */
    Object call(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        send(bytes);
        return sync().get(0);
    }

    /**
     * The logged-in socket for a protocol that is not request and reply (a replica's PSYNC stream): its input with
     * the bytes already buffered first, and its output. This connection is done with from then on.
     */
    public Detached detach() {
        ensureOpen();
        flush();
        java.io.InputStream rest = in.rest();
        broken = true;
        brokenBy = "it was handed over to another protocol";
        return new Detached(label, socket, rest, out);
    }

    /** A socket handed over by {@link #detach()}. */
    public record Detached(String label, Socket socket, java.io.InputStream in, OutputStream out) implements AutoCloseable {
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }

    /** Supplies a value's bytes in order; null when there are no more. */
    public interface Chunks {
        byte[] next();
    }

    /**
     * SET key to exactly {@code length} bytes taken from {@code chunks}. A source that ends early
     * aborts the command by closing the connection (the server then drops it) and fails.
     */
    public void setStreamed(byte[] key, long length, Chunks chunks) {
        if (queued > 0) {
            throw new IllegalStateException(label + ": replies are pending; sync before streaming a value");
        }
        buf.header('*', 3);
        buf.bulk(Cmd.SET);
        buf.bulk(key);
        buf.put(Resp.ascii("$" + length + "\r\n")); // may pass 2 GiB
        flush();
        long written = 0;
        try {
            while (written < length) {
                byte[] chunk = chunks.next();
                if (chunk == null || chunk.length == 0) {
                    close();
                    throw new IllegalStateException(label + ": the value ended after " + written + " of " + length
                            + " bytes (it changed while it was copied); nothing was written");
                }
                int n = (int) Math.min(chunk.length, length - written);
                out.write(chunk, 0, n);
                written += n;
            }
            out.write(CRLF);
            out.flush();
        } catch (IOException e) {
            throw lost(e);
        }
        queued = 1;
        Object reply = sync().get(0);
        if (!Resp.ok(reply)) {
            throw new IllegalStateException(label + " answered " + reply);
        }
    }

    private void ensureOpen() {
        if (broken) {
            throw new IllegalStateException(label + ": the connection was lost earlier (" + brokenBy + "); run again to resume");
        }
    }

    /**
     * Closes the connection after it failed, or after a reply that could not be parsed (the bytes after it
     * could be anything): later calls fail rather than read replies out of step.
     */
    private IllegalStateException lost(Exception e) {
        close();
        if (!(e instanceof IOException io)) {
            brokenBy = "a reply could not be read: " + e;
            return new IllegalStateException(label + ": " + brokenBy + "; the connection was closed", e);
        }
        brokenBy = "connection lost: " + (e instanceof java.net.SocketTimeoutException ? "no reply in time" : e.getMessage());
        return new IllegalStateException(label + ": " + brokenBy, new UncheckedIOException(io));
    }

    @Override
    public void close() {
        broken = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
