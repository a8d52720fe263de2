package io.keyferry.engine.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a RocksDB write batch as its write-ahead log keeps it (what Kvrocks' POLLUPDATES sends as hex): a header of
 * the first sequence number (fixed64, little-endian) and the number of sequenced records (fixed32), then records,
 * each a tag byte, a column family ID (varint32) where the tag says so, and length-prefixed keys and values. Only what
 * a follower needs is kept: the column family and key of every write, and the range of every range deletion.
 */
final class WriteBatchReader {
    /** One write of the batch: a put, delete, merge or entity of {@code key}, or a deletion of [key, rangeEnd). */
    record Entry(int columnFamily, byte[] key, byte[] rangeEnd) {
        boolean isRange() {
            return rangeEnd != null;
        }
    }

    /** A batch: its first sequence number, how many sequence numbers it takes, and its writes in order. */
    record Batch(long sequence, int count, List<Entry> entries) {
        /** The sequence number of its last record: where a follower stands once the batch is applied. */
        long lastSequence() {
            return sequence + Math.max(count, 1) - 1;
        }
    }

    private static final int HEADER = 12;

    private final byte[] data;
    private int at;

    private WriteBatchReader(byte[] data) {
        this.data = data;
    }

    /** @throws IllegalArgumentException saying where, when the bytes are not a write batch this reader knows */
    static Batch read(byte[] data) {
        if (data.length < HEADER) {
            throw new IllegalArgumentException("a write batch of " + data.length + " bytes is shorter than its 12-byte header");
        }
        WriteBatchReader r = new WriteBatchReader(data);
        long sequence = r.fixed(8);
        int count = (int) r.fixed(4);
        List<Entry> entries = new ArrayList<>();
        while (r.at < data.length) {
            Entry e = r.record();
            if (e != null) {
                entries.add(e);
            }
        }
        return new Batch(sequence, count, entries);
    }

    /** The next record; null for those that change no key (log data, no-ops, transaction markers). */
    private Entry record() {
        int offset = at;
        int tag = data[at++] & 0xff;
        return switch (tag) {
            case 0x01, 0x02, 0x11, 0x16, 0x18 -> keyValue(0);            // put, merge, blob index, entity, put+seqno
            case 0x05, 0x06, 0x10, 0x17, 0x19 -> keyValue(varint());     // the same in a column family
            case 0x00, 0x07 -> new Entry(0, bytes(), null);              // delete, single delete
            case 0x04, 0x08 -> new Entry(varint(), bytes(), null);       // the same in a column family
            case 0x14 -> new Entry(0, bytes(), null);                    // delete with a timestamp in the key
            case 0x0F -> new Entry(0, bytes(), bytes());                 // range deletion
            case 0x0E -> range(varint());                                // range deletion in a column family
            case 0x03, 0x0A, 0x0B, 0x0C -> skip();                       // log data; end prepare, commit, rollback (xid)
            case 0x15 -> skipTwo();                                      // commit with a timestamp
            case 0x09, 0x0D, 0x12, 0x13 -> null;                         // begin prepare, no-op, begin (un)prepare
            default -> throw new IllegalArgumentException("write batch record at byte " + offset + " has tag " + tag
                    + ", which no RocksDB this reader knows writes");
        };
    }

    private Entry keyValue(int cf) {
        byte[] key = bytes();
        bytes(); // the value: read again from the source, not from the log
        return new Entry(cf, key, null);
    }

    private Entry range(int cf) {
        return new Entry(cf, bytes(), bytes());
    }

    private Entry skip() {
        bytes();
        return null;
    }

    private Entry skipTwo() {
        bytes();
        bytes();
        return null;
    }

    private byte[] bytes() {
        int length = varint();
        if (length < 0 || length > data.length - at) {
            throw new IllegalArgumentException("write batch field at byte " + at + " claims " + length + " bytes, " + (data.length - at)
                    + " are left");
        }
        byte[] out = Arrays.copyOfRange(data, at, at + length);
        at += length;
        return out;
    }

    private int varint() {
        int value = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            if (at >= data.length) {
                throw new IllegalArgumentException("write batch ends inside a varint at byte " + at);
            }
            int b = data[at++] & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("write batch has a varint longer than 5 bytes before byte " + at);
    }

    private long fixed(int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) (data[at++] & 0xff) << (8 * i);
        }
        return v;
    }
}
