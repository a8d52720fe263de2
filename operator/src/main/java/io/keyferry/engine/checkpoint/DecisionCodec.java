package io.keyferry.engine.checkpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import io.keyferry.api.DataType;
import io.keyferry.engine.copy.Action;
import io.keyferry.engine.copy.Decision;
import io.keyferry.engine.copy.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The decisions of the batch in flight, as one base64 string of a compact binary record per key,
 * written before every batch: as JSON objects they took about a millisecond per 500-key batch to
 * encode, a fifth of the writing thread's time (measured with JFR on the mixed-1m benchmark).
 * Format 2 writes lengths and numbers as varints (a decision is about 30 bytes and its key, not 65),
 * and the JSON generator writes the bytes as base64 itself, with no string made and scanned: the batch
 * in flight is saved before every batch. Enum values are stored as indices into name tables saved with
 * the batch, so a later version that reorders or extends an enum still reads them right; format 1
 * (fixed-width numbers) and a state saved as a JSON array (before both) still load.
 */
final class DecisionCodec {
    private static final int VERSION = 2;
    private static final int TARGET_SAME = -1;
    private static final int NO_TYPE = -1;
    private static final int CHUNKED = 1;
    private static final int DUMP = 2;
    private static final int OWN_NAME = 4;

    private DecisionCodec() {}

    static String encode(List<Decision> decisions) {
        return Base64.getEncoder().encodeToString(bytes(decisions));
    }

    /** Format 2: the version, the enum name tables, then per decision varints and bytes. */
    static byte[] bytes(List<Decision> decisions) {
        Out out = new Out(64 + 48 * decisions.size());
        out.put(VERSION);
        names(out, DataType.values());
        names(out, Action.values());
        names(out, Outcome.values());
        out.varint(decisions.size());
        for (Decision d : decisions) {
            out.varint(d.sourceKey().length);
            out.put(d.sourceKey());
            if (Arrays.equals(d.sourceKey(), d.targetKey())) {
                out.varint(0);
            } else {
                out.varint(d.targetKey().length + 1L);
                out.put(d.targetKey());
            }
            out.put(d.type() == null ? 0 : d.type().ordinal() + 1);
            boolean ownName = ownName(d);
            out.put((d.chunked() ? CHUNKED : 0) | (d.dump() ? DUMP : 0) | (ownName ? OWN_NAME : 0));
            if (ownName) {
                byte[] name = utf8(d.typeName());
                out.varint(name.length);
                out.put(name);
            }
            out.put(d.action().ordinal());
            out.put(d.outcome().ordinal());
            out.zigzag(d.sourceExpireAt());
            out.zigzag(d.targetExpireAt());
            out.zigzag(d.sourceSize());
            out.zigzag(d.targetLenBefore());
        }
        return Arrays.copyOf(out.bytes, out.length);
    }

    static List<Decision> decode(String text) throws IOException {
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(text));
            int version = in.get() & 0xff;
            if (version != 1 && version != VERSION) {
                throw new IOException("the batch in flight is in format " + version + ", this version reads 1 and " + VERSION);
            }
            DataType[] types = lookup(in, DataType.class);
            Action[] actions = lookup(in, Action.class);
            Outcome[] outcomes = lookup(in, Outcome.class);
            return version == 1 ? decodeV1(in, types, actions, outcomes) : decodeV2(in, types, actions, outcomes);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("the batch in flight is damaged: " + e, e);
        }
    }

    private static List<Decision> decodeV2(ByteBuffer in, DataType[] types, Action[] actions, Outcome[] outcomes) {
        int n = length(in, varint(in));
        List<Decision> decisions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] source = read(in, varint(in));
            long targetLength = varint(in);
            byte[] target = targetLength == 0 ? source : read(in, targetLength - 1);
            int typeIndex = in.get() & 0xff;
            DataType type = typeIndex == 0 ? null : types[typeIndex - 1];
            int flags = in.get();
            String typeName = (flags & OWN_NAME) != 0 ? new String(read(in, varint(in)), StandardCharsets.UTF_8) : type.wireName();
            Action action = actions[in.get()];
            Outcome outcome = outcomes[in.get()];
            decisions.add(new Decision(source, target, type, typeName, action, outcome, zigzag(in), zigzag(in), zigzag(in),
                    zigzag(in), (flags & CHUNKED) != 0, (flags & DUMP) != 0));
        }
        return decisions;
    }

    /** Format 1: fixed-width ints and longs (saved by versions before format 2). */
    private static List<Decision> decodeV1(ByteBuffer in, DataType[] types, Action[] actions, Outcome[] outcomes) {
        int n = in.getInt();
        List<Decision> decisions = new ArrayList<>(Math.max(0, Math.min(n, in.remaining())));
        for (int i = 0; i < n; i++) {
            byte[] source = read(in, in.getInt());
            int targetLength = in.getInt();
            byte[] target = targetLength == TARGET_SAME ? source : read(in, targetLength);
            int typeIndex = in.get();
            DataType type = typeIndex == NO_TYPE ? null : types[typeIndex];
            String typeName = in.get() != 0 ? new String(read(in, in.getInt()), StandardCharsets.UTF_8) : type.wireName();
            Action action = actions[in.get()];
            Outcome outcome = outcomes[in.get()];
            long sourceExpireAt = in.getLong();
            long targetExpireAt = in.getLong();
            long sourceSize = in.getLong();
            long targetLenBefore = in.getLong();
            int flags = in.get();
            decisions.add(new Decision(source, target, type, typeName, action, outcome, sourceExpireAt, targetExpireAt,
                    sourceSize, targetLenBefore, (flags & CHUNKED) != 0, (flags & DUMP) != 0));
        }
        return decisions;
    }

    /** A length read from the record, no more than the bytes left (a damaged one is not allocated). */
    private static int length(ByteBuffer in, long n) {
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("a length of " + n + " with " + in.remaining() + " bytes left");
        }
        return (int) n;
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get();
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("a varint longer than 10 bytes");
    }

    private static long zigzag(ByteBuffer in) {
        long v = varint(in);
        return (v >>> 1) ^ -(v & 1);
    }

    /** A growing byte array (not ByteArrayOutputStream, whose every write takes a lock). */
    private static final class Out {
        byte[] bytes;
        int length;

        Out(int size) {
            bytes = new byte[size];
        }

        void put(int b) {
            ensure(1);
            bytes[length++] = (byte) b;
        }

        void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, length, b.length);
            length += b.length;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7fL) != 0) {
                bytes[length++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            bytes[length++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }

    private static boolean ownName(Decision d) {
        return d.type() == null || !d.type().wireName().equals(d.typeName());
    }

    private static byte[] utf8(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }

    private static void names(Out out, Enum<?>[] values) {
        out.put(values.length);
        for (Enum<?> v : values) {
            byte[] name = v.name().getBytes(StandardCharsets.US_ASCII);
            out.put(name.length);
            out.put(name);
        }
    }

    /** The values as saved, by index, looked up by name in this version's enum. */
    private static <E extends Enum<E>> E[] lookup(ByteBuffer in, Class<E> type) {
        int n = in.get() & 0xff;
        @SuppressWarnings("unchecked")
        E[] values = (E[]) java.lang.reflect.Array.newInstance(type, n);
        for (int i = 0; i < n; i++) {
            values[i] = Enum.valueOf(type, new String(read(in, in.get() & 0xff), StandardCharsets.US_ASCII));
        }
        return values;
    }

    private static byte[] read(ByteBuffer in, long length) {
        byte[] b = new byte[length(in, length)];
        in.get(b);
        return b;
    }

    static final class Writer extends JsonSerializer<List<Decision>> {
        @Override
        public void serialize(List<Decision> value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            byte[] bytes = bytes(value);
            gen.writeBinary(bytes, 0, bytes.length); // base64, as encode() spells it
        }
    }

    static final class Reader extends JsonDeserializer<List<Decision>> {
        @Override
        public List<Decision> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.START_ARRAY) { // saved as JSON objects, before this format
                return ctxt.readValue(p, ctxt.getTypeFactory().constructCollectionType(List.class, Decision.class));
            }
            return decode(p.getValueAsString());
        }
    }
}
