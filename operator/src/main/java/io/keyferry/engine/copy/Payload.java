package io.keyferry.engine.copy;

import java.util.Collection;
import java.util.Map;

/** Bytes of payload in values as Lettuce returns them, for progress and reports. */
final class Payload {
    private Payload() {}

    /** List elements or set members. */
    static long of(Collection<byte[]> elements) {
        long n = 0;
        for (byte[] e : elements) {
            n += e.length;
        }
        return n;
    }

    /** Hash fields and values, or a stream entry's body. */
    static long of(Map<byte[], byte[]> fields) {
        long n = 0;
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            n += f.getKey().length + f.getValue().length;
        }
        return n;
    }
}
