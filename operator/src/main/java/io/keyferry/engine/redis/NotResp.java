package io.keyferry.engine.redis;

import java.io.IOException;

/** Bytes that are not RESP at all: where the first reply is so, the peer is no Redis-protocol server. */
public final class NotResp extends IOException {
    private final int firstByte;

    NotResp(String message, int firstByte) {
        super(message);
        this.firstByte = firstByte;
    }

    /** The reply's first byte, or -1 where the reply went wrong later. */
    public int firstByte() {
        return firstByte;
    }
}
