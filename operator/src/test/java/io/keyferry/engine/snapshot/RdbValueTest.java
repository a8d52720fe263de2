package io.keyferry.engine.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Values in memory decoded as Redis encodes them, and damaged ones refused without allocating their claimed size. */
class RdbValueTest {
    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void stringsRawAsIntegersAndWide() throws IOException {
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), RdbValue.string(bytes(0, 3, 'a', 'b', 'c'), 5));
        assertArrayEquals("-2".getBytes(StandardCharsets.US_ASCII), RdbValue.string(bytes(0, 0xC0, 0xFE), 3));
        assertArrayEquals("65535".getBytes(StandardCharsets.US_ASCII), RdbValue.string(bytes(0, 0xC2, 0xFF, 0xFF, 0, 0), 6));
        byte[] wide = new byte[1 + 5 + 70];
        wide[1] = (byte) 0x80;
        wide[5] = 70;
        assertEquals(70, RdbValue.string(wide, wide.length).length);
    }

    @Test
    void hashTablesCompareInAnyOrder() throws IOException {
        byte[] a = bytes(2, 2, 1, 'x', 1, 'y');
        byte[] b = bytes(2, 2, 1, 'y', 1, 'x');
        assertTrue(RdbValue.sameUnordered(a, a.length, b, b.length));
        byte[] c = bytes(2, 2, 1, 'y', 1, 'z');
        assertFalse(RdbValue.sameUnordered(a, a.length, c, c.length));
        byte[] repeated = bytes(2, 2, 1, 'x', 1, 'x');
        assertFalse(RdbValue.sameUnordered(repeated, repeated.length, repeated, repeated.length), "a repeated member is not a set");
        assertFalse(RdbValue.sameUnordered(a, a.length, repeated, repeated.length), "x twice is not x and y");
        byte[] three = bytes(2, 3, 1, 'x', 1, 'y', 1, 'z');
        assertFalse(RdbValue.sameUnordered(a, a.length, three, three.length), "a member more");
        assertFalse(RdbValue.sameUnordered(three, three.length, a, a.length), "a member fewer");
    }

    @Test
    void hashTablesCompareFieldsWithTheirValues() throws IOException {
        byte[] h = bytes(4, 2, 1, 'f', 1, '1', 1, 'g', 1, '2');
        byte[] reordered = bytes(4, 2, 1, 'g', 1, '2', 1, 'f', 1, '1');
        assertTrue(RdbValue.sameUnordered(h, h.length, reordered, reordered.length));
        byte[] swapped = bytes(4, 2, 1, 'g', 1, '1', 1, 'f', 1, '2');
        assertFalse(RdbValue.sameUnordered(h, h.length, swapped, swapped.length), "the same fields with other values");
        byte[] set = bytes(2, 2, 1, 'f', 1, 'g');
        assertFalse(RdbValue.sameUnordered(h, h.length, set, set.length), "a hash is not a set");
    }

    @Test
    void damagedValuesAreRefusedWithoutAllocatingTheirClaimedSize() {
        // A string that claims 2^31-1 bytes in a value of 7: refused before any array of that size is made.
        IOException claimed = assertThrows(IOException.class, () -> RdbValue.string(bytes(0, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 'a'), 7));
        assertTrue(claimed.getMessage().contains("ends early"), claimed.getMessage());
        IOException truncated = assertThrows(IOException.class, () -> RdbValue.string(bytes(0, 5, 'a', 'b'), 4));
        assertTrue(truncated.getMessage().contains("ends early"), truncated.getMessage());
        IOException longer = assertThrows(IOException.class, () -> RdbValue.string(bytes(0, 1, 'a', 'b'), 4));
        assertTrue(longer.getMessage().contains("longer than its content"), longer.getMessage());
        IOException inflated = assertThrows(IOException.class,
                () -> RdbValue.string(bytes(0, 0xC3, 1, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 'a'), 9));
        assertTrue(inflated.getMessage().contains("more than Redis allows"), inflated.getMessage());
        IOException unknown = assertThrows(IOException.class, () -> RdbValue.string(bytes(0, 0xC7), 2));
        assertTrue(unknown.getMessage().contains("string encoding 7"), unknown.getMessage());
    }
}
