package io.keyferry.engine.redis;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;

/**
 * A socket's input read in larger pieces: a read that finds nothing arrived yet waits a millisecond before it blocks,
 * so that a sender slower than the reader (a source writing its snapshot, a target answering RESTOREs) is read in
 * pieces of a millisecond's bytes rather than woken for every few kilobytes it writes. Each wake-up costs a context
 * switch, which on a virtual machine costs more than reading the bytes; a millisecond's bytes fit the socket's
 * receive buffer, so the sender is not held up. Over TLS, where {@code available()} does not see the encrypted bytes
 * waiting, reads are passed through unchanged.
 */
public final class GatheredInput extends FilterInputStream {
    static final long PAUSE_NANOS = 1_000_000;

    private final boolean gathers;

    public GatheredInput(InputStream in, Socket socket) {
        super(in);
        this.gathers = !(socket instanceof SSLSocket);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (gathers && len > 0 && in.available() == 0) {
            LockSupport.parkNanos(PAUSE_NANOS);
        }
        return in.read(b, off, len);
    }
}
