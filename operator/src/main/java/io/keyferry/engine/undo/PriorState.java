package io.keyferry.engine.undo;

import io.keyferry.api.DataType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of the undo journal: what a target key was before the migration first changed it. A key is recorded as
 * {@link Kind#ABSENT} (the migration created it), {@link Kind#DUMP} (its DUMP payload, where the target has DUMP), or
 * as one or more consecutive {@link Kind#CHUNK}s of its type-native value (the first one marked), so that a big key on
 * a store without DUMP is never held whole.
 *
 * @param expireAt when the key was to expire, in milliseconds since the epoch; -1 for none
 * @param first    the first record of its key (ABSENT and DUMP are first and last)
 * @param last     the last record of its key: the key is recorded whole once its last record is in the journal
 * @param offset   a chunk's place in the value: a list's first element index, a string's first byte; 0 otherwise
 * @param items    a DUMP payload alone, or a chunk's elements: a string's bytes; a hash's fields and values; a
 *                 list's or a set's elements; a sorted set's members and scores; a stream's entries each as its ID,
 *                 its field count and its fields and values
 */
public record PriorState(Kind kind, byte[] key, DataType type, long expireAt, boolean first, boolean last, long offset,
                         List<byte[]> items) {
    public enum Kind { ABSENT, DUMP, CHUNK }

    public static PriorState absent(byte[] key) {
        return new PriorState(Kind.ABSENT, key, null, -1, true, true, 0, List.of());
    }

    public static PriorState dump(byte[] key, long expireAt, byte[] payload) {
        return new PriorState(Kind.DUMP, key, null, expireAt, true, true, 0, List.of(payload));
    }

    public static PriorState chunk(byte[] key, DataType type, long expireAt, boolean first, boolean last, long offset,
                                   List<byte[]> items) {
        return new PriorState(Kind.CHUNK, key, type, expireAt, first, last, offset, items);
    }

    /** Bytes this record takes in the journal, about. */
    public long size() {
        long n = 24 + key.length;
        for (byte[] item : items) {
            n += 4 + item.length;
        }
        return n;
    }

    /** The records as one journal segment. */
    public static byte[] encode(List<PriorState> states) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(states.size());
            for (PriorState s : states) {
                out.writeByte(s.kind.ordinal());
                writeBytes(out, s.key);
                out.writeByte(s.type == null ? -1 : s.type.ordinal());
                out.writeLong(s.expireAt);
                out.writeBoolean(s.first);
                out.writeBoolean(s.last);
                out.writeLong(s.offset);
                out.writeInt(s.items.size());
                for (byte[] item : s.items) {
                    writeBytes(out, item);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The records of one segment, in order. */
    public static List<PriorState> decode(byte[] segment) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(segment))) {
            int n = in.readInt();
            List<PriorState> states = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Kind kind = Kind.values()[in.readByte()];
                byte[] key = readBytes(in);
                int type = in.readByte();
                long expireAt = in.readLong();
                boolean first = in.readBoolean();
                boolean last = in.readBoolean();
                long offset = in.readLong();
                int count = in.readInt();
                List<byte[]> items = new ArrayList<>(count);
                for (int j = 0; j < count; j++) {
                    items.add(readBytes(in));
                }
                states.add(new PriorState(kind, key, type < 0 ? null : DataType.values()[type], expireAt, first, last, offset, items));
            }
            return states;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("an undo journal segment is unreadable (" + e + "); the journal is damaged", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
