package io.keyferry.engine.undo;

import io.keyferry.api.DataType;
import io.keyferry.engine.copy.ChunkSize;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a target key's value type-natively, chunk by chunk, as {@link PriorState} chunks: for a store without DUMP.
 * No chunk holds more than {@value #ELEMENTS} elements or {@value #STRING_BYTES} bytes of a string, so a big key is
 * never held whole; the last chunk is marked.
 */
final class PriorReader {
    static final int ELEMENTS = 500;
    static final int STRING_BYTES = 512 * 1024;

    private final Pipe target;
    private final byte[] key;
    private final DataType type;
    private final long expireAt;
    private final Consumer<PriorState> out;
    /** The chunk read last, held until the next tells whether it is the last. */
    private PriorState held;

    private PriorReader(Pipe target, byte[] key, DataType type, long expireAt, Consumer<PriorState> out) {
        this.target = target;
        this.key = key;
        this.type = type;
        this.expireAt = expireAt;
        this.out = out;
    }

    /** Hands every chunk of {@code key}'s value to {@code out}, in order; the first and the last are marked. */
    static void read(Pipe target, byte[] key, DataType type, long expireAt, Consumer<PriorState> out) {
        PriorReader r = new PriorReader(target, key, type, expireAt, out);
        switch (type) {
            case STRING -> r.string();
            case LIST -> r.list();
            case HASH -> r.scan(Cmd.HSCAN);
            case SET -> r.scan(Cmd.SSCAN);
            case ZSET -> r.scan(Cmd.ZSCAN);
            case STREAM -> r.stream();
        }
        r.finish();
    }

    private void chunk(long offset, List<byte[]> items) {
        if (held != null) {
            out.accept(held);
        }
        held = PriorState.chunk(key, type, expireAt, held == null, false, offset, items);
    }

    private void finish() {
        if (held == null) {
            chunk(0, List.of()); // vanished meanwhile: an empty value, restored as nothing
        }
        out.accept(PriorState.chunk(key, type, expireAt, held.first(), true, held.offset(), held.items()));
    }

    private Object call(byte[]... args) {
        Object reply = Resp.call(target, args);
        if (reply instanceof Resp.Error e) {
            throw new io.keyferry.engine.CopyFailedException(target.label() + " failed a read of key "
                    + io.keyferry.engine.redis.Keys.show(key) + " for the undo journal: " + e.message());
        }
        return reply;
    }

    private void string() {
        for (long at = 0; ; at += STRING_BYTES) {
            byte[] part = Resp.bytes(call(Cmd.GETRANGE, key, Resp.num(at), Resp.num(at + STRING_BYTES - 1)), target.label(), key);
            chunk(at, List.of(part));
            if (part.length < STRING_BYTES) {
                return;
            }
        }
    }

    private void list() {
        ChunkSize size = new ChunkSize(ELEMENTS);
        for (long at = 0; ; ) {
            int count = size.count();
            List<byte[]> page = flat(call(Cmd.LRANGE, key, Resp.num(at), Resp.num(at + count - 1)));
            if (page.isEmpty() && at > 0) {
                return;
            }
            size.saw(page, 1);
            chunk(at, page);
            if (page.size() < count) {
                return;
            }
            at += page.size();
        }
    }

    private void scan(byte[] command) {
        ChunkSize size = new ChunkSize(ELEMENTS);
        byte[] cursor = Cmd.ZERO;
        do {
            List<Object> page = Resp.array(call(command, key, cursor, Cmd.COUNT, size.arg()), target.label(), key);
            cursor = Resp.bytes(page.get(0), target.label(), key);
            List<byte[]> items = flat(page.get(1));
            size.sawPage(command, items);
            chunk(0, items);
        } while (!Arrays.equals(cursor, Cmd.ZERO));
    }

    private void stream() {
        ChunkSize size = new ChunkSize(ELEMENTS);
        byte[] from = Resp.ascii("-");
        while (true) {
            int count = size.count();
            List<Object> entries = Resp.array(call(Cmd.XRANGE, key, from, Resp.ascii("+"), Cmd.COUNT, Resp.num(count)),
                    target.label(), key);
            size.saw(Resp.payload(entries), entries.size());
            List<byte[]> items = new ArrayList<>();
            byte[] lastId = null;
            for (Object e : entries) {
                List<Object> entry = Resp.array(e, target.label(), key);
                lastId = Resp.bytes(entry.get(0), target.label(), key);
                List<byte[]> fields = flat(entry.get(1));
                items.add(lastId);
                items.add(Resp.num(fields.size()));
                items.addAll(fields);
            }
            if (!items.isEmpty() || held == null) {
                chunk(0, items);
            }
            if (entries.size() < count) {
                return;
            }
            from = Resp.ascii("(" + new String(lastId, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private List<byte[]> flat(Object reply) {
        List<byte[]> items = new ArrayList<>();
        for (Object o : Resp.array(reply, target.label(), key)) {
            items.add(Resp.bytes(o, target.label(), key));
        }
        return items;
    }
}
