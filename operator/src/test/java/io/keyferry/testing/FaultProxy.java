package io.keyferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, that injects the network's faults on command:
 * <ul>
 *   <li>{@link #resetAll()}: every open connection is reset (RST, as a dropped link or a restarted peer);</li>
 *   <li>{@link #resetAfter}: the same, once so many more bytes went one way, the last command or reply cut where the
 *   count ends (so a command is cut mid-write, a reply mid-read);</li>
 *   <li>{@link #cutReplyAfter}: the first reply read from the server once so many command bytes went on is forwarded
 *   half, then the connection reset (armed in the proxy, so no reply slips past while a test thread waits to arm it);</li>
 *   <li>{@link #blackHole}: nothing is forwarded either way (what is sent is read and dropped), connections stay open;</li>
 *   <li>{@link #latency}: every read chunk waits that long before it is forwarded, either way;</li>
 *   <li>{@link #stopReadingAfter}: once so many more command bytes went on, the proxy stops reading commands (on every
 *   connection, new ones too) until {@link #readAgain()}: the client's writes fill the buffers, then block.</li>
 * </ul>
 * Two threads per connection copy bytes; the upstream may be moved ({@link #upstream}) to a server restarted elsewhere.
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way the bytes go: commands to the server, replies back from it. */
    public enum Way { COMMANDS, REPLIES }

    private final ServerSocket listener;
    private volatile int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicLong[] budget = {new AtomicLong(Long.MAX_VALUE), new AtomicLong(Long.MAX_VALUE)};
    private final AtomicLong[] forwarded = {new AtomicLong(), new AtomicLong()};
    private volatile long cutReplyAfterCommands = Long.MAX_VALUE;
    private volatile boolean blackHole;
    private volatile long latencyMillis;
    private final AtomicLong readingLeft = new AtomicLong(Long.MAX_VALUE);
    private volatile boolean notReading;

    private FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public static FaultProxy to(RedisServer server) {
        try {
            return new FaultProxy(server.port());
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the proxy's port", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String uri() {
        return "redis://127.0.0.1:" + port() + "/0";
    }

    /** Connections accepted so far: a retry shows as new ones. */
    public int connections() {
        return accepted.get();
    }

    /** Times connections were reset by a fault. */
    public int resets() {
        return resets.get();
    }

    /** Bytes forwarded {@code way} so far, over all connections. */
    public long bytes(Way way) {
        return forwarded[way.ordinal()].get();
    }

    /**
     * Waits until {@code bytes} bytes went {@code way} (a moment of a copy, counted in what it sent or read), at most a
     * minute; false if they never did.
     */
    public boolean awaitBytes(Way way, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (bytes(way) < bytes) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    public void upstream(RedisServer server) {
        this.upstreamPort = server.port();
    }

    public void resetAll() {
        resets.incrementAndGet();
        for (Socket s : open) {
            reset(s);
        }
    }

    /** Arms one reset of every connection, once {@code bytes} more bytes went {@code way} (counted over all connections). */
    public void resetAfter(Way way, long bytes) {
        budget[way.ordinal()].set(bytes);
    }

    public void cutReplyAfter(long commandBytes) {
        cutReplyAfterCommands = commandBytes;
    }

    public void blackHole(boolean on) {
        blackHole = on;
    }

    public void stopReadingAfter(long commandBytes) {
        readingLeft.set(commandBytes);
    }

    public void readAgain() {
        readingLeft.set(Long.MAX_VALUE);
        notReading = false;
    }

    public void latency(Duration d) {
        latencyMillis = d.toMillis();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket();
                try {
                    server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
                } catch (IOException down) {
                    reset(client); // the server is down: the client sees its connection refused at once
                    continue;
                }
                open.add(client);
                open.add(server);
                pump(client, server, Way.COMMANDS);
                pump(server, client, Way.REPLIES);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, Way way) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = readWhenAllowed(in, buf, way)) > 0) {
                    if (blackHole) {
                        continue;
                    }
                    if (latencyMillis > 0) {
                        Thread.sleep(latencyMillis);
                    }
                    int forward = allowance(way, n);
                    out.write(buf, 0, forward);
                    out.flush();
                    forwarded[way.ordinal()].addAndGet(forward);
                    if (way == Way.COMMANDS && readingLeft.addAndGet(-forward) <= 0) {
                        notReading = true;
                    }
                    if (forward < n) {
                        resetAll();
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // reset or closed: the other side is closed with it
            } finally {
                reset(from);
                reset(to);
            }
        }, "fault-proxy-" + way);
        t.setDaemon(true);
        t.start();
    }

    /** Reads the next chunk, after waiting while commands are not to be read. */
    private int readWhenAllowed(InputStream in, byte[] buf, Way way) throws IOException, InterruptedException {
        while (way == Way.COMMANDS && notReading && !listener.isClosed()) {
            Thread.sleep(10);
        }
        return in.read(buf);
    }

    /** How much of a chunk of {@code n} bytes may go on before an armed fault cuts it. */
    private int allowance(Way way, int n) {
        if (way == Way.REPLIES && forwarded[Way.COMMANDS.ordinal()].get() >= cutReplyAfterCommands) {
            cutReplyAfterCommands = Long.MAX_VALUE;
            return n / 2;
        }
        AtomicLong left = budget[way.ordinal()];
        long before = left.getAndAdd(-n);
        if (before >= n) {
            return n;
        }
        left.set(Long.MAX_VALUE); // fired: disarmed
        return (int) Math.max(0, before);
    }

    private void reset(Socket s) {
        open.remove(s);
        try {
            s.setSoLinger(true, 0); // close with RST, not FIN
            s.close();
        } catch (SocketException ignored) {
            // already closed
        } catch (IOException ignored) {
            // closing is all there is to do
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        for (Socket s : open) {
            reset(s);
        }
    }
}
