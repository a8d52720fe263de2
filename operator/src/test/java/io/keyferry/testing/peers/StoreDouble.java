package io.keyferry.testing.peers;

import io.keyferry.testing.RedisServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that answers as a recorded Kvrocks or Pika does ({@link Dialect}), on a free loopback port, and forwards
 * what its recording does not decide to a real redis-server behind it. Each client connection gets its own
 * connection to that server; commands a client pipelines are forwarded in one round trip.
 *
 * <p>With {@link #limitPipelines} it also plays a store that stalls on long pipelines (Pika with its release
 * config stalled a long {@code redis-cli --pipe} load): it holds its replies back until the client stops sending,
 * so the commands it has received before it answered the first are exactly those the client sent without
 * waiting; more than the limit, and the connection stalls for good, as the real one did.
 */
public final class StoreDouble implements AutoCloseable {
    /** How long a client must stay silent before its pipeline counts as complete. */
    private static final int QUIET_MS = 3;

    private final Dialect dialect;
    private final RedisServer backend;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger deepest = new AtomicInteger();
    private final AtomicInteger stalls = new AtomicInteger();
    private final AtomicInteger commands = new AtomicInteger();
    private volatile int maxCommands = Integer.MAX_VALUE;
    private volatile long maxBytes = Long.MAX_VALUE;

    private StoreDouble(Dialect dialect, RedisServer backend) {
        this.dialect = dialect;
        this.backend = backend;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread accept = new Thread(this::accept, dialect.store() + "-double-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A store that answers as {@code dialect} says, in front of {@code backend}. */
    public static StoreDouble of(Dialect dialect, RedisServer backend) {
        return new StoreDouble(dialect, backend);
    }

    /** A Pika 4.0.1 in front of {@code backend}. */
    public static StoreDouble pika(RedisServer backend) {
        return new StoreDouble(new PikaDialect(), backend);
    }

    /** A Kvrocks (unstable of 2024-10) in front of {@code backend}. */
    public static StoreDouble kvrocks(RedisServer backend) {
        return kvrocks(backend, new RecordedWal());
    }

    /** A Kvrocks in front of {@code backend} whose write-ahead log (POLLUPDATES) is {@code wal}. */
    public static StoreDouble kvrocks(RedisServer backend, RecordedWal wal) {
        return new StoreDouble(new KvrocksDialect(wal), backend);
    }

    /** Stalls a connection that sends more than this many commands, or bytes, before it reads a reply. */
    public StoreDouble limitPipelines(int commands, long bytes) {
        this.maxCommands = commands;
        this.maxBytes = bytes;
        return this;
    }

    public int port() { return server.getLocalPort(); }

    public String uri() { return "redis://127.0.0.1:" + port() + "/0"; }

    /** The most commands a client sent on one connection before it read a reply (with limits set). */
    public int deepestPipeline() { return deepest.get(); }

    /** Connections stalled for sending more than the limits. */
    public int stalls() { return stalls.get(); }

    /** Commands received from all clients. */
    public int commandsReceived() { return commands.get(); }

    private void accept() {
        while (!closed.get()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), dialect.store() + "-double-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        Dialect dialect = this.dialect.connection();
        try (client; Socket redis = new Socket(InetAddress.getLoopbackAddress(), backend.port())) {
            sockets.add(redis);
            client.setTcpNoDelay(true);
            redis.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), 1 << 16);
            OutputStream out = new BufferedOutputStream(client.getOutputStream(), 1 << 16);
            InputStream fromRedis = new BufferedInputStream(redis.getInputStream(), 1 << 16);
            OutputStream toRedis = new BufferedOutputStream(redis.getOutputStream(), 1 << 16);
            while (true) {
                List<List<byte[]>> batch = pipeline(in);
                if (batch == null) {
                    return;
                }
                if (!answer(dialect, batch, out, fromRedis, toRedis)) {
                    hang(in);
                    return;
                }
            }
        } catch (IOException e) {
            // the client or the double went away
        }
    }

    /** The commands the client has sent before waiting for a reply; null once it has closed. */
    private List<List<byte[]>> pipeline(InputStream in) throws IOException {
        List<byte[]> first = Wire.readCommand(in);
        if (first == null) {
            return null;
        }
        List<List<byte[]>> batch = new ArrayList<>(List.of(first));
        long bytes = size(first);
        boolean limited = maxCommands != Integer.MAX_VALUE || maxBytes != Long.MAX_VALUE;
        while (in.available() > 0 || (limited && quietEnded(in))) {
            List<byte[]> next = Wire.readCommand(in);
            if (next == null) {
                break;
            }
            batch.add(next);
            bytes += size(next);
        }
        commands.addAndGet(batch.size());
        if (limited) {
            deepest.accumulateAndGet(batch.size(), Math::max);
            if (batch.size() > maxCommands || bytes > maxBytes) {
                stalls.incrementAndGet();
                hang(in);
                return null;
            }
        }
        return batch;
    }

    /** Whether more bytes arrive within {@link #QUIET_MS}: the client was still sending. */
    private static boolean quietEnded(InputStream in) throws IOException {
        long until = System.nanoTime() + QUIET_MS * 1_000_000L;
        while (System.nanoTime() < until) {
            if (in.available() > 0) {
                return true;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return in.available() > 0;
    }

    /** Answers a pipeline in order; false where the store hangs on one of its commands. */
    private static boolean answer(Dialect dialect, List<List<byte[]>> batch, OutputStream out, InputStream fromRedis,
                                  OutputStream toRedis) throws IOException {
        List<Dialect.Step> steps = new ArrayList<>(batch.size());
        boolean hangs = false;
        for (List<byte[]> cmd : batch) {
            Dialect.Step step = dialect.handle(cmd);
            if (step == Dialect.Hang.INSTANCE) {
                hangs = true;
                break;
            }
            steps.add(step);
            if (step instanceof Dialect.Forward f) {
                for (List<byte[]> c : f.commands()) {
                    Wire.writeCommand(toRedis, c);
                }
            }
        }
        toRedis.flush();
        for (Dialect.Step step : steps) {
            if (step instanceof Dialect.Answer a) {
                Wire.writeReply(out, a.reply());
            } else if (step instanceof Dialect.Forward f) {
                List<Object> replies = new ArrayList<>(f.commands().size());
                for (int i = 0; i < f.commands().size(); i++) {
                    replies.add(Wire.readReply(fromRedis));
                }
                Wire.writeReply(out, f.reply().apply(replies));
            }
        }
        out.flush();
        return !hangs;
    }

    /** Reads and drops whatever the client sends until it, or the double, closes the connection. */
    private static void hang(InputStream in) throws IOException {
        byte[] sink = new byte[1 << 16];
        while (in.read(sink) >= 0) {
            // never answered
        }
    }

    private static long size(List<byte[]> cmd) {
        long n = 0;
        for (byte[] a : cmd) {
            n += a.length + 16;
        }
        return n;
    }

    @Override
    public void close() {
        closed.set(true);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
