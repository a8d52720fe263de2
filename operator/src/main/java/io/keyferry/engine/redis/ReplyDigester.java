package io.keyferry.engine.redis;

import java.io.IOException;

/**
 * Walks one reply as {@link RespReader} reads it and reduces it to a {@link Digest}, as its shape says its elements
 * combine, without an array per element. A reply laid out otherwise (no server sends one) is read through to its end,
 * so the next reply is read in step, and gives {@link Digest#UNREADABLE}; an error or a nil is returned as it is.
 */
final class ReplyDigester {
    private final RespReader in;
    /** Set where the reply being digested is not laid out as its shape says. */
    private boolean odd;

    ReplyDigester(RespReader in) {
        this.in = in;
    }

    Object digest(Digest.Shape shape) throws IOException {
        odd = false;
        Object digest = walk(shape);
        return odd ? Digest.UNREADABLE : digest;
    }

    private Object walk(Digest.Shape shape) throws IOException {
        byte kind = in.readByte();
        if (kind != (shape == Digest.Shape.BULK ? '$' : '*')) {
            Object other = in.replyOf(kind, 0);
            odd = other != null && !(other instanceof Resp.Error);
            return other;
        }
        long n = in.number();
        if (n < 0) {
            return RespReader.nil(n, shape == Digest.Shape.BULK ? "bulk string" : "array");
        }
        return switch (shape) {
            case BULK -> new Digest(n, true, in.bulkDigest(n));
            case ORDERED -> {
                long h = Digest.SEED;
                for (long i = RespReader.arrayLength(n); i > 0; i--) {
                    h = Digest.chain(h, element());
                }
                yield new Digest(n, true, h);
            }
            case SCAN_SINGLES, SCAN_PAIRS -> page(n, shape == Digest.Shape.SCAN_PAIRS);
        };
    }

    /** [cursor, [element, ...]]: the elements (or pairs of them) summed, so their order does not count. */
    private Object page(long n, boolean pairs) throws IOException {
        byte first = n == 2 ? in.readByte() : 0;
        if (first != '$') { // not [cursor, [...]]: read through
            odd = true;
            if (n == 2) {
                in.replyOf(first, 1);
            }
            for (long i = n == 2 ? 1 : RespReader.arrayLength(n); i > 0; i--) {
                in.nested(1);
            }
            return null;
        }
        long c = in.number();
        if (c < 0 || c > RespReader.MAX_LINE) {
            throw new IOException("a SCAN cursor of " + c + " bytes");
        }
        byte[] cursor = new byte[(int) c];
        in.readFully(cursor);
        in.readByte(); // CR
        in.readByte(); // LF
        byte second = in.readByte();
        if (second != '*') {
            odd = true;
            in.replyOf(second, 1);
            return null;
        }
        long items = in.number();
        odd = items < 0 || (pairs && items % 2 != 0);
        long sum = 0;
        for (long i = items < 0 ? 0 : RespReader.arrayLength(items); i > 0; i -= pairs ? 2 : 1) {
            long a = element();
            sum += pairs && i > 1 ? Digest.pair(a, element()) : a;
        }
        return new Digest(pairs ? items / 2 : items, Resp.finished(cursor), sum);
    }

    /** One element of an array being digested: a bulk string's digest; anything else is read and makes it odd. */
    private long element() throws IOException {
        byte kind = in.readByte();
        if (kind == '$') {
            long n = in.number();
            if (n >= 0) {
                return in.bulkDigest(n);
            }
        } else {
            in.replyOf(kind, 1);
        }
        odd = true;
        return 0;
    }
}
