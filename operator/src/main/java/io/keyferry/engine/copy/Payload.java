package io.keyferry.engine.copy;

import java.util.Map;

/** Bytes of payload in a stream entry as Lettuce returns it, for progress and reports. */
public final class Payload {
    private Payload() {}

    /** A stream entry's body. */
    public static long of(Map<byte[], byte[]> fields) {
        long n = 0;
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            n += f.getKey().length + f.getValue().length;
        }
        return n;
    }
}
