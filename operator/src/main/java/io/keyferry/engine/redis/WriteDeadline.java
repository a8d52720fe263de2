package io.keyferry.engine.redis;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A socket's output whose writes may block no longer than the reply timeout. A read has its timeout from the socket;
 * a write does not: to a server that stopped reading (a frozen process, a peer behind a link that drops everything) a
 * big pipeline or a streamed value fills the socket's buffers and then blocks until TCP gives up, many minutes later.
 * A watchdog thread looks at every write in progress four times a second and closes the socket of one that has waited
 * past {@link Timeouts#reply()}; the write then fails with an {@link IOException} that says so, which the caller
 * treats as a lost connection (and retries).
 */
final class WriteDeadline extends FilterOutputStream {
    private static final Set<WriteDeadline> WRITING = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "keyferry-write-deadline");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.scheduleWithFixedDelay(WriteDeadline::check, 250, 250, TimeUnit.MILLISECONDS);
    }

    private final Socket socket;
    /** When the write in progress began (System.nanoTime), 0 while none is. */
    private volatile long since;
    private volatile boolean expired;

    WriteDeadline(Socket socket, OutputStream out) {
        super(out);
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        guarded(() -> out.write(b, off, len));
    }

    @Override
    public void flush() throws IOException {
        guarded(out::flush);
    }

    private interface Io {
        void run() throws IOException;
    }

    private void guarded(Io io) throws IOException {
        since = System.nanoTime();
        WRITING.add(this);
        try {
            io.run();
        } catch (IOException e) {
            if (expired) {
                throw new IOException("the server stopped reading: a write waited past the reply timeout ("
                        + Timeouts.describe(Timeouts.reply()) + ")", e);
            }
            throw e;
        } finally {
            WRITING.remove(this);
            since = 0;
        }
    }

    private static void check() {
        long now = System.nanoTime();
        long limit = Timeouts.reply().toNanos();
        for (WriteDeadline w : WRITING) {
            long began = w.since;
            if (began != 0 && now - began > limit) {
                w.expired = true;
                try {
                    w.socket.close(); // the blocked write fails at once
                } catch (IOException ignored) {
                    // closed is what was wanted
                }
            }
        }
    }
}
