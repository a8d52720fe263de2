package io.keyferry.engine.sync;

import io.keyferry.engine.copy.BatchMemory;
import io.keyferry.engine.redis.GatheredInput;
import io.keyferry.engine.redis.RespConnection;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A Redis source's changes as its replicas get them: KeyFerry connects as a replica (REPLCONF, then PSYNC), skips the
 * RDB snapshot of a full resynchronization (the backfill reads the keyspace with SCAN instead), and reads the command
 * stream, counting its bytes as the master counts its replication offset. It answers REPLCONF GETACK and acknowledges
 * the offset every second, as a replica must (the master drops a replica that stays silent for repl-timeout).
 *
 * <p>Commands are read on a thread of their own into a bounded queue (10,000 commands, and a batch's room of bytes:
 * {@link BatchMemory}): a slow consumer slows the reading, and the master keeps what is not
 * read yet in its output buffer for this replica (client-output-buffer-limit replica; when that is exceeded the master
 * drops the connection and the follower resumes from its last position).
 */
public final class ReplicationStream implements AutoCloseable {
    /** An argument longer than this is not kept (only keys and small values are needed: values are read again). */
    static final int KEPT_ARGUMENT = 1 << 20;
    private static final int QUEUED = 10_000;

    private final RespConnection.Detached link;
    private final InputStream in;
    private final OutputStream out;
    private final Position start;
    private final boolean resumed;
    private final BlockingQueue<Object> changes = new ArrayBlockingQueue<>(QUEUED);
    /** KiB of arguments the queue may hold: taken as a change is queued, given back as it is taken. */
    private final Semaphore room;
    private final int roomKib;
    private final ScheduledExecutorService acks;
    private final Thread reader;
    /** The master's replication offset of the last byte read. */
    private volatile long offset;
    private volatile boolean closed;

    private ReplicationStream(RespConnection.Detached link, InputStream in, Position start, boolean resumed, long queuedBytes) {
        this.roomKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queuedBytes >> 10));
        this.room = new Semaphore(roomKib);
        this.link = link;
        this.in = in;
        this.out = link.out();
        this.start = start;
        this.resumed = resumed;
        this.offset = start.offset();
        String name = "keyferry-replica-" + link.label();
        this.acks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-ack"));
        acks.scheduleWithFixedDelay(this::ack, 1, 1, TimeUnit.SECONDS);
        this.reader = daemon(this::read, name);
        reader.start();
    }

    /**
     * Starts replicating from {@code from} (null: a full resynchronization, whose snapshot is skipped).
     *
     * @throws IllegalStateException naming the endpoint when the source refuses (a replica that may not PSYNC, an ACL
     *                               user without the SYNC permission)
     */
    public static ReplicationStream open(RespConnection connection, Position from) {
        return open(connection, from, BatchMemory.BATCH_BYTES);
    }

    /** @param queuedBytes the bytes of commands read ahead of the consumer at most (one bigger command alone) */
    static ReplicationStream open(RespConnection connection, Position from, long queuedBytes) {
        String label = connection.label();
        Position asked = from != null ? from : current(connection);
        Answer answer = psync(connection, asked == null ? "?" : asked.replId(), asked == null ? -1 : asked.offset() + 1);
        try {
            String line = answer.line();
            if (line.startsWith("FULLRESYNC ")) {
                skipSnapshot(answer.in(), label);
                return new ReplicationStream(answer.link(), answer.in(), fullResync(line), false, queuedBytes);
            }
            if (line.equals("CONTINUE") || line.startsWith("CONTINUE ")) {
                String replId = line.length() > "CONTINUE ".length() ? line.substring("CONTINUE ".length()).strip() : asked.replId();
                return new ReplicationStream(answer.link(), answer.in(), new Position(replId, asked.offset()), from != null,
                        queuedBytes);
            }
            throw new IllegalStateException(label + ": PSYNC answered " + line + "; KeyFerry follows a source as its replica:"
                    + " the source's user needs the SYNC permission (ACL: +sync +psync +replconf), and the source must"
                    + " accept replicas");
        } catch (IOException e) {
            answer.link().close();
            throw new IllegalStateException(label + ": the replication snapshot could not be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            answer.link().close();
            throw e;
        }
    }

    /**
     * A full resynchronization's snapshot, to be read as the backfill: the source's position it was taken at, and the
     * socket positioned at the snapshot's {@code $} header (after the newlines a master sends while it prepares it).
     * The caller closes the socket once it has read what it needs.
     *
     * @throws IllegalStateException naming the endpoint when the source refuses
     */
    public static Snapshot fullSnapshot(RespConnection connection) {
        Answer answer = psync(connection, "?", -1);
        if (!answer.line().startsWith("FULLRESYNC ")) {
            answer.link().close();
            throw new IllegalStateException(connection.label() + ": PSYNC ? -1 answered " + answer.line()
                    + " instead of a full resynchronization");
        }
        return new Snapshot(fullResync(answer.line()), new GatheredInput(answer.in(), answer.link().socket()),
                answer.link());
    }

    /** A snapshot being received: where the source was when it was taken, and the socket it comes over. */
    public record Snapshot(Position start, InputStream in, RespConnection.Detached link) {}

    private record Answer(String line, InputStream in, RespConnection.Detached link) {}

    /** The replica's handshake and PSYNC; the answer's first line (without its +), on the detached socket. */
    private static Answer psync(RespConnection connection, String replId, long offset) {
        String label = connection.label();
        expectOk(connection, label, "REPLCONF", "listening-port", "0");
        expectOk(connection, label, "REPLCONF", "capa", "eof", "capa", "psync2");
        connection.send(bytes("PSYNC"), bytes(replId), bytes(Long.toString(offset)));
        // The reply is read off the detached stream: a master that waits to start a diskless transfer sends newlines
        // before it (and a reply parser would take them for garbage).
        RespConnection.Detached link = connection.detach();
        try {
            BufferedInputStream in = new BufferedInputStream(link.in(), 1 << 16);
            int first = in.read();
            while (first == '\n') {
                first = in.read();
            }
            String line = CountingReader.line(in);
            if (first != '+') {
                throw refused(label + ": PSYNC answered " + (char) first + line + "; KeyFerry follows a"
                        + " source as its replica: the source's user needs the SYNC permission (ACL: +sync +psync +replconf),"
                        + " and the source must accept replicas", line);
            }
            return new Answer(line, in, link);
        } catch (IOException e) {
            link.close();
            throw new IllegalStateException(label + ": the replication snapshot could not be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private static Position fullResync(String line) {
        String[] parts = line.split(" ");
        return new Position(parts[1], Long.parseLong(parts[2]));
    }

    /**
     * The source's own position now, where its replication backlog exists: asking to continue from there starts the
     * stream without a snapshot (no fork of the source for a BGSAVE). Null where it has no backlog yet.
     */
    private static Position current(RespConnection connection) {
        connection.send(bytes("INFO"), bytes("replication"));
        Object reply = connection.sync().get(0);
        if (!(reply instanceof byte[] text)) {
            return null; // INFO refused: a full resynchronization it is
        }
        String info = new String(text, StandardCharsets.UTF_8);
        String replId = null;
        long offset = -1;
        boolean backlog = false;
        for (String line : info.split("\r\n")) {
            if (line.startsWith("master_replid:")) {
                replId = line.substring("master_replid:".length()).strip();
            } else if (line.startsWith("master_repl_offset:")) {
                offset = Long.parseLong(line.substring("master_repl_offset:".length()).strip());
            } else if (line.startsWith("repl_backlog_active:")) {
                backlog = line.endsWith("1");
            }
        }
        return backlog && replId != null && offset >= 0 ? new Position(replId, offset) : null;
    }

    /** Where the stream began: the position asked for when the source continued it, the new one after a full resync. */
    public Position start() {
        return start;
    }

    /** Whether the source continued from the position asked for (false: a full resynchronization). */
    public boolean resumed() {
        return resumed;
    }

    /** The master's offset of the last byte read from the stream (what is acknowledged). */
    public long offset() {
        return offset;
    }

    /**
     * The next change, waiting at most {@code millis}; null when none came meanwhile.
     *
     * @throws IllegalStateException when the stream broke (the connection was lost, or the master sent what is not
     *                               a replication stream): the follower resumes from its last position
     */
    public Change next(long millis) throws InterruptedException {
        Object next = changes.poll(millis, TimeUnit.MILLISECONDS);
        if (next instanceof RuntimeException e) {
            changes.offer(e); // every later call says the same
            throw e;
        }
        if (next instanceof Change c) {
            room.release(kib(c));
        }
        return (Change) next;
    }

    /** The KiB of a change's arguments, as the queue counts them: one bigger than the whole room takes all of it. */
    private int kib(Change c) {
        long bytes = 0;
        for (byte[] a : c.args()) {
            bytes += a == null ? 0 : a.length;
        }
        return (int) Math.min(roomKib, (bytes + 1023) >> 10);
    }

    private void read() {
        try {
            CountingReader r = new CountingReader(in, offset);
            while (!closed) {
                Change c = r.command();
                offset = c.offset();
                if (c.is("REPLCONF") && c.args().length > 1 && "GETACK".equalsIgnoreCase(c.arg(1))) {
                    ack();
                    continue;
                }
                room.acquire(kib(c));
                changes.put(c);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                changes.offer(new IllegalStateException(link.label() + ": the replication stream broke at offset " + offset
                        + ": " + (e instanceof EOFException ? "the source closed the connection" : e.getMessage()), e));
            }
        }
    }

    private synchronized void ack() {
        if (closed) {
            return;
        }
        try {
            String off = Long.toString(offset);
            out.write(("*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$" + off.length() + "\r\n" + off + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the reader sees the broken connection and says so
        }
    }

    /**
     * Skips the snapshot of a full resynchronization: newlines the master sends while it prepares it, then either
     * {@code $<length>} and that many bytes, or (diskless) {@code $EOF:<40-byte mark>} and bytes up to the mark.
     */
    private static void skipSnapshot(InputStream in, String label) throws IOException {
        int b = in.read();
        while (b == '\n') {
            b = in.read();
        }
        if (b != '$') {
            throw new IOException("expected the snapshot ($), got byte " + b);
        }
        String header = CountingReader.line(in);
        if (header.startsWith("EOF:")) {
            byte[] mark = header.substring(4).getBytes(StandardCharsets.US_ASCII);
            byte[] last = new byte[mark.length];
            long seen = 0;
            for (int c = in.read(); c >= 0; c = in.read()) {
                last[(int) (seen++ % mark.length)] = (byte) c;
                if (seen >= mark.length && endsWith(last, seen, mark)) {
                    return;
                }
            }
            throw new EOFException("the source closed the connection inside the snapshot");
        }
        long length = Long.parseLong(header);
        for (long left = length; left > 0; ) {
            long n = in.skip(left);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the source closed the connection inside the snapshot (" + left + " of "
                            + length + " bytes left)");
                }
                n = 1;
            }
            left -= n;
        }
    }

    private static boolean endsWith(byte[] ring, long seen, byte[] mark) {
        for (int i = 0; i < mark.length; i++) {
            if (ring[(int) ((seen - mark.length + i) % mark.length)] != mark[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A refusal of the replica's handshake: a missing permission (NOPERM) is the manifest's user's, bad input that no
     * retry mends; anything else (LOADING, a master going down) may pass.
     */
    private static RuntimeException refused(String message, String reply) {
        return reply != null && reply.startsWith("NOPERM") ? new io.keyferry.engine.MigrationInputException(message)
                : new IllegalStateException(message);
    }

    private static void expectOk(RespConnection c, String label, String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = bytes(args[i]);
        }
        c.send(bytes);
        Object reply = c.sync().get(0);
        if (!io.keyferry.engine.redis.Resp.ok(reply)) {
            throw refused(label + ": " + args[0] + " " + args[1] + " answered " + text(reply) + "; the source's"
                    + " user needs the SYNC permission (ACL: +sync +psync +replconf) to be followed", text(reply));
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        acks.shutdownNow();
        reader.interrupt();
        link.close();
    }
}
