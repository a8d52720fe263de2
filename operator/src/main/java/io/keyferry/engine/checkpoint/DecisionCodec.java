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
 * Enum values are stored as indices into name tables saved with the batch, so a later version that
 * reorders or extends an enum still reads them right; a state saved as a JSON array (before this
 * format) still loads.
 */
final class DecisionCodec {
    private static final int VERSION = 1;
    private static final int TARGET_SAME = -1;
    private static final int NO_TYPE = -1;

    private DecisionCodec() {}

    /** Fixed bytes per decision: key lengths, type, own type name flag, action, outcome, four longs, flags. */
    private static final int FIXED = 4 + 4 + 1 + 1 + 1 + 1 + 4 * 8 + 1;

    static String encode(List<Decision> decisions) {
        int size = 1 + 4; // version, count
        for (Decision d : decisions) {
            size += FIXED + d.sourceKey().length + (Arrays.equals(d.sourceKey(), d.targetKey()) ? 0 : d.targetKey().length);
            if (ownName(d)) {
                size += 4 + utf8(d.typeName()).length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size + names());
        out.put((byte) VERSION);
        names(out, DataType.values());
        names(out, Action.values());
        names(out, Outcome.values());
        out.putInt(decisions.size());
        for (Decision d : decisions) {
            out.putInt(d.sourceKey().length).put(d.sourceKey());
            if (Arrays.equals(d.sourceKey(), d.targetKey())) {
                out.putInt(TARGET_SAME);
            } else {
                out.putInt(d.targetKey().length).put(d.targetKey());
            }
            out.put((byte) (d.type() == null ? NO_TYPE : d.type().ordinal()));
            boolean ownName = ownName(d);
            out.put((byte) (ownName ? 1 : 0));
            if (ownName) {
                byte[] name = utf8(d.typeName());
                out.putInt(name.length).put(name);
            }
            out.put((byte) d.action().ordinal());
            out.put((byte) d.outcome().ordinal());
            out.putLong(d.sourceExpireAt()).putLong(d.targetExpireAt()).putLong(d.sourceSize()).putLong(d.targetLenBefore());
            out.put((byte) ((d.chunked() ? 1 : 0) | (d.dump() ? 2 : 0)));
        }
        return Base64.getEncoder().encodeToString(Arrays.copyOf(out.array(), out.position()));
    }

    static List<Decision> decode(String text) throws IOException {
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(text));
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new IOException("the batch in flight is in format " + version + ", this version reads " + VERSION);
            }
            DataType[] types = lookup(in, DataType.class);
            Action[] actions = lookup(in, Action.class);
            Outcome[] outcomes = lookup(in, Outcome.class);
            int n = in.getInt();
            List<Decision> decisions = new ArrayList<>(n);
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
                        sourceSize, targetLenBefore, (flags & 1) != 0, (flags & 2) != 0));
            }
            return decisions;
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("the batch in flight is damaged: " + e, e);
        }
    }

    private static boolean ownName(Decision d) {
        return d.type() == null || !d.type().wireName().equals(d.typeName());
    }

    private static byte[] utf8(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes of the three enum name tables that head every batch, so a value is stored as its index. */
    private static int names() {
        int n = 0;
        for (Enum<?>[] values : List.<Enum<?>[]>of(DataType.values(), Action.values(), Outcome.values())) {
            n += 1;
            for (Enum<?> v : values) {
                n += 1 + v.name().length();
            }
        }
        return n;
    }

    private static void names(ByteBuffer out, Enum<?>[] values) {
        out.put((byte) values.length);
        for (Enum<?> v : values) {
            byte[] name = v.name().getBytes(StandardCharsets.US_ASCII);
            out.put((byte) name.length).put(name);
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

    private static byte[] read(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    static final class Writer extends JsonSerializer<List<Decision>> {
        @Override
        public void serialize(List<Decision> value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(encode(value));
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
