package io.keyferry.engine.snapshot;

import io.keyferry.api.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Walks a Redis RDB snapshot as it streams in (a replica's full resynchronization), entry by entry, without decoding
 * values: a wanted entry's bytes are the body of a DUMP payload, so they are kept as they pass and sealed with the RDB
 * version and a CRC-64 ({@link RdbInput}). Entries of other databases pass unkept. Memory stays bounded whatever the
 * key's size: past {@code cap} bytes (kept, or once inflated where compressed), or past {@link #MAX_ELEMENTS}
 * elements, an entry is walked without being kept,
 * and the visitor hears it is too big (it is then copied in chunks, another way).
 *
 * <p>The format is Redis' own (rdb.h, rdb.c) up to version 11 (Redis 7.2): value types 0 to 5, 7 and 9 to 21, and
 * the opcodes AUX, RESIZEDB, SELECTDB, EXPIRETIME(_MS), IDLE, FREQ, FUNCTION2, MODULE_AUX and SLOT_INFO.
 */
public final class RdbEntries {
    /** The newest snapshot format walked here: Redis 7.2's. */
    public static final int NEWEST_VERSION = 11;
    static final int MODULE = 7;

    private final RdbInput in;
    private final int db;
    private final int cap;
    private final int maxElements;
    private int version;
    private boolean sealing = true;

    /** What becomes of the entries walked. */
    public interface Visitor {
        /** Whether this key (of this database) is wanted: its bytes are then kept. */
        boolean wants(byte[] key, int rdbType);

        /**
         * A wanted entry kept whole: {@code payload[0..length)} is its RESTORE payload (or only its type byte and
         * value, {@link #unsealed}), valid until the next entry; expireAt in ms, or -1.
         */
        void whole(byte[] key, int rdbType, long expireAt, byte[] payload, int length) throws IOException;

        /** A wanted entry too big to be kept (or a module value, which is not restored). */
        void tooBig(byte[] key, int rdbType) throws IOException;
    }

    /** A snapshot in a format newer than {@link #NEWEST_VERSION}: found before its first entry, so nothing was walked. */
    public static final class NewerFormat extends IOException {
        NewerFormat(int version) {
            super("the snapshot is RDB version " + version + " (a Redis newer than 7.2); KeyFerry walks up to version "
                    + NEWEST_VERSION);
        }
    }

    /**
     * @param cap         bytes of an entry kept at most (once inflated)
     * @param maxElements elements (or pairs) of an entry kept as a hash table at most (a listpack, intset or quicklist
     *                    node is bound by its bytes alone)
     */
    public RdbEntries(InputStream in, int db, int cap, int maxElements) {
        this.in = new RdbInput(in);
        this.db = db;
        this.cap = cap;
        this.maxElements = maxElements;
    }

    /**
     * Hands wanted entries over as they are in the snapshot (type byte and value, no RDB version or checksum): to be
     * compared, not restored, so no checksum is computed.
     */
    public RdbEntries unsealed() {
        this.sealing = false;
        return this;
    }

    /** The data type of an RDB value type; null for a module value. */
    public static DataType typeOf(int rdbType) {
        return switch (rdbType) {
            case 0 -> DataType.STRING;
            case 1, 10, 14, 18 -> DataType.LIST;
            case 2, 11, 20 -> DataType.SET;
            case 3, 5, 12, 17 -> DataType.ZSET;
            case 4, 9, 13, 16 -> DataType.HASH;
            case 15, 19, 21 -> DataType.STREAM;
            default -> null;
        };
    }

    /** The snapshot's bytes read so far. */
    public long bytes() {
        return in.consumed();
    }

    /** Reads the transfer's header and the snapshot's, then walks every entry to the end; returns the entries walked. */
    public long walk(Visitor visitor) throws IOException {
        byte[] mark = header();
        long entries = 0;
        int selected = 0;
        long expireAt = -1;
        while (true) {
            int type = in.read();
            switch (type) {
                case 0xFA -> { skipString(); skipString(); }              // AUX
                case 0xFB -> { length(); length(); }                      // RESIZEDB
                case 0xFE -> selected = (int) length();                   // SELECTDB
                case 0xFC -> expireAt = in.le(8);                         // EXPIRETIME_MS
                case 0xFD -> expireAt = in.le(4) * 1000;                  // EXPIRETIME
                case 0xF8 -> length();                                    // IDLE
                case 0xF9 -> in.read();                                   // FREQ
                case 0xF5 -> skipString();                                // FUNCTION2
                case 0xF4 -> { length(); length(); length(); }            // SLOT_INFO
                case 0xF7 -> { length(); length(); length(); moduleOpcodes(); } // MODULE_AUX
                case 0xFF -> {                                            // EOF: the checksum, then a diskless mark
                    in.skip(8);
                    if (mark != null && !Arrays.equals(in.bytes(mark.length), mark)) {
                        throw new IOException("the snapshot did not end with the mark its transfer announced");
                    }
                    return entries;
                }
                default -> {
                    entry(visitor, type, selected == db, expireAt);
                    entries += selected == db ? 1 : 0;
                    expireAt = -1;
                }
            }
        }
    }

    /** Newlines, {@code $<length>} or {@code $EOF:<mark>}, then REDISnnnn; returns the diskless mark, or null. */
    private byte[] header() throws IOException {
        int b = in.read();
        while (b == '\n') {
            b = in.read();
        }
        if (b != '$') {
            throw new IOException("expected the snapshot's transfer ($), got byte " + b);
        }
        String line = in.line();
        byte[] mark = null;
        if (line.startsWith("EOF:")) {
            mark = line.substring(4).getBytes(StandardCharsets.US_ASCII);
        } else {
            in.limitTo(Long.parseLong(line));
        }
        byte[] magic = in.bytes(9);
        if (!new String(magic, 0, 5, StandardCharsets.US_ASCII).equals("REDIS")) {
            throw new IOException("the snapshot does not start with REDIS: not an RDB file");
        }
        version = Integer.parseInt(new String(magic, 5, 4, StandardCharsets.US_ASCII));
        if (version > NEWEST_VERSION) {
            throw new NewerFormat(version);
        }
        return mark;
    }

    private void entry(Visitor visitor, int type, boolean inDb, long expireAt) throws IOException {
        if (typeOf(type) == null && type != MODULE) {
            throw new IOException("value type " + type + " in an RDB version " + version + " snapshot is not known");
        }
        byte[] key = key();
        boolean wanted = inDb && visitor.wants(key, type);
        if (wanted) {
            in.startRecording(type, cap);
            if (type == MODULE) {
                in.giveUp(); // module values are not restored: the copy lists them as unsupported
            }
        }
        value(type);
        if (!wanted) {
            return;
        }
        if (in.stopRecording()) {
            int length = sealing ? in.sealPayload(version) : in.recordedLength(); // sealing may grow the array: first
            visitor.whole(key, type, expireAt, in.recorded(), length);
        } else {
            visitor.tooBig(key, type);
        }
    }

    private void value(int type) throws IOException {
        switch (type) {
            case 0, 9, 10, 11, 12, 13, 16, 17, 20 -> skipString(); // a string, or one encoded blob
            case 1, 2 -> strings(counted(length()));              // list, set
            case 4 -> strings(2 * counted(length()));             // hash: field, value
            case 3 -> {                                           // zset, scores as text
                for (long n = counted(length()); n > 0; n--) {
                    skipString();
                    int len = in.read();
                    if (len < 253) {
                        in.skip(len);
                    }
                }
            }
            case 5 -> {                                           // zset 2: member, binary double
                for (long n = counted(length()); n > 0; n--) {
                    skipString();
                    in.skip(8);
                }
            }
            case 14 -> strings(length());                         // quicklist: ziplists
            case 18 -> {                                          // quicklist 2: container, blob
                for (long n = length(); n > 0; n--) {
                    length();
                    skipString();
                }
            }
            case 15, 19, 21 -> stream(type);
            case MODULE -> {
                length();
                moduleOpcodes();
            }
            default -> throw new IOException("value type " + type + " is not known");
        }
    }

    /** An element count: above {@link #maxElements} the entry is not kept. */
    private long counted(long n) {
        if (n > maxElements) {
            in.giveUp();
        }
        return n;
    }

    /** A stream: its listpacks, its metadata, then its consumer groups with their pending entries and consumers. */
    private void stream(int type) throws IOException {
        strings(2 * length());                                    // master ID, listpack
        length();                                                 // items
        length();                                                 // last ID: ms, seq
        length();
        if (type >= 19) {
            for (int i = 0; i < 5; i++) {                         // first ID, max deleted ID, entries added
                length();
            }
        }
        for (long groups = length(); groups > 0; groups--) {
            skipString();                                         // name
            length();                                             // last delivered ID
            length();
            if (type >= 19) {
                length();                                         // entries read
            }
            for (long pending = length(); pending > 0; pending--) {
                in.skip(16 + 8);                                  // raw ID, delivery time
                length();                                         // delivery count
            }
            for (long consumers = length(); consumers > 0; consumers--) {
                skipString();                                     // name
                in.skip(type >= 21 ? 16 : 8);                     // seen time (and active time)
                in.skip(16 * length());                           // its pending IDs
            }
        }
    }

    /** A module's serialized values (the self-describing format of module type 2), to its EOF opcode. */
    private void moduleOpcodes() throws IOException {
        while (true) {
            long op = length();
            switch ((int) op) {
                case 0 -> { return; }
                case 1, 2 -> length();
                case 3 -> in.skip(4);
                case 4 -> in.skip(8);
                case 5 -> skipString();
                default -> throw new IOException("module opcode " + op + " is not known");
            }
        }
    }

    private void strings(long n) throws IOException {
        for (long i = 0; i < n; i++) {
            skipString();
        }
    }

    private long length() throws IOException {
        return in.length();
    }

    private void skipString() throws IOException {
        int b = in.read();
        switch (b >> 6) {
            case 0 -> in.skip(b & 0x3F);
            case 1 -> in.skip(((long) (b & 0x3F) << 8) | in.read());
            case 2 -> in.skip(in.wide(b));
            default -> {
                switch (b & 0x3F) {
                    case 0 -> in.skip(1);
                    case 1 -> in.skip(2);
                    case 2 -> in.skip(4);
                    case 3 -> {
                        long compressed = length();
                        if (length() > cap) {
                            in.giveUp(); // small compressed, but RESTORE would inflate it whole
                        }
                        in.skip(compressed);
                    }
                    default -> throw new IOException("string encoding " + (b & 0x3F) + " is not known");
                }
            }
        }
    }

    /** A key's name: raw, an integer (as its decimal text) or LZF-compressed. */
    private byte[] key() throws IOException {
        return in.string();
    }
}
