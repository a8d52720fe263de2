package io.keyferry.testing.peers;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import java.util.function.BiFunction;

/**
 * HSCAN, SSCAN and ZSCAN as Kvrocks and Pika answer them (recorded: a 600-field hash read with COUNT 500 comes
 * back as exactly 500 fields, f0, f1, f10, f100, ..., then the other 100): elements in the order of their bytes,
 * exactly COUNT a page. The whole collection is read from the redis-server when a scan starts (cursor 0) and
 * paged from that copy until the scan ends.
 */
final class CollectionPages {
    private final LongFunction<String> cursor;
    private final ToLongFunction<String> offset;
    /** The store's reply made from Redis' for a command: a page [cursor, elements], or an error. */
    private final BiFunction<String, Object, Object> store;
    /** A scan's copy of its collection, sorted, as flat elements, by command and key. */
    private final Map<List<ByteBuffer>, List<List<byte[]>>> scans = new ConcurrentHashMap<>();

    CollectionPages(LongFunction<String> cursor, ToLongFunction<String> offset, BiFunction<String, Object, Object> store) {
        this.cursor = cursor;
        this.offset = offset;
        this.store = store;
    }

    Dialect.Step page(String name, List<byte[]> cmd) {
        List<ByteBuffer> scan = List.of(ByteBuffer.wrap(cmd.get(0)), ByteBuffer.wrap(cmd.get(1)));
        int count = 10;
        for (int i = 3; i + 1 < cmd.size(); i++) {
            if (RecordedDialect.arg(cmd, i).equals("COUNT")) {
                count = Integer.parseInt(Wire.text(cmd.get(i + 1)));
            }
        }
        long from = offset.applyAsLong(Wire.text(cmd.get(2)));
        int n = count;
        if (from == 0 || !scans.containsKey(scan)) {
            byte[] key = cmd.get(1);
            List<byte[]> fetch = switch (name) {
                case "HSCAN" -> List.of(Wire.bytes("HGETALL"), key);
                case "SSCAN" -> List.of(Wire.bytes("SMEMBERS"), key);
                default -> List.of(Wire.bytes("ZRANGE"), key, Wire.bytes("0"), Wire.bytes("-1"), Wire.bytes("WITHSCORES"));
            };
            return Dialect.Forward.of(fetch, reply -> {
                if (!(reply instanceof List<?> flat)) {
                    return store.apply(name, reply); // WRONGTYPE, in the store's words
                }
                scans.put(scan, sorted(flat, name.equals("SSCAN") ? 1 : 2));
                return answer(name, scan, from, n);
            });
        }
        return new Dialect.Answer(answer(name, scan, from, n));
    }

    private Object answer(String name, List<ByteBuffer> scan, long from, int count) {
        List<List<byte[]>> all = scans.get(scan);
        int end = (int) Math.min(all.size(), from + count);
        List<Object> flat = new ArrayList<>();
        for (int i = (int) Math.min(from, all.size()); i < end; i++) {
            flat.addAll(all.get(i));
        }
        if (end == all.size()) {
            scans.remove(scan);
        }
        return store.apply(name, List.of(Wire.bytes(end == all.size() ? "0" : cursor.apply(end)), flat));
    }

    private static List<List<byte[]>> sorted(List<?> flat, int width) {
        List<List<byte[]>> elements = new ArrayList<>();
        for (int i = 0; i + width - 1 < flat.size(); i += width) {
            List<byte[]> e = new ArrayList<>();
            for (int j = 0; j < width; j++) {
                e.add((byte[]) flat.get(i + j));
            }
            elements.add(e);
        }
        elements.sort((a, b) -> Arrays.compareUnsigned(a.get(0), b.get(0)));
        return elements;
    }
}
