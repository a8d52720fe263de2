package io.keyferry.engine.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Commands encoded in RESP into one growing buffer, written out with one call ({@link RespConnection}): room for an
 * argument is made once, then it is copied in without further checks.
 */
final class CommandBuffer {
    private static final int INITIAL = 1 << 16;

    private byte[] buf = new byte[INITIAL];
    private int len;

    /** One command of {@code args}; returns the bytes it took. */
    int command(byte[][] args) {
        int before = len;
        header('*', args.length);
        for (byte[] a : args) {
            bulk(a);
        }
        return len - before;
    }

    /** Bytes encoded and not yet written. */
    int length() {
        return len;
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    /** Empties it; a buffer one huge value grew past {@code keepAtMost} gives the memory back. */
    void clear(int keepAtMost) {
        len = 0;
        if (buf.length > keepAtMost) {
            buf = new byte[INITIAL];
        }
    }

    void header(char kind, int count) {
        room(1 + 10 + 2);
        buf[len++] = (byte) kind;
        putDigits(count);
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    void bulk(byte[] value) {
        int n = value.length;
        room(1 + 10 + 2 + n + 2);
        buf[len++] = '$';
        putDigits(n);
        buf[len++] = '\r';
        buf[len++] = '\n';
        System.arraycopy(value, 0, buf, len, n);
        len += n;
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    void put(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /** A non-negative count or length in ASCII digits, into room already made. */
    private void putDigits(int n) {
        if (n < 10) {
            buf[len++] = (byte) ('0' + n);
            return;
        }
        if (n < Resp.SMALL_NUMBERS) {
            byte[] digits = Resp.num(n); // encoded once
            System.arraycopy(digits, 0, buf, len, digits.length);
            len += digits.length;
            return;
        }
        int digits = 0;
        for (int v = n; v > 0; v /= 10) {
            digits++;
        }
        for (int i = len + digits - 1, v = n; i >= len; i--, v /= 10) {
            buf[i] = (byte) ('0' + v % 10);
        }
        len += digits;
    }

    private void room(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
