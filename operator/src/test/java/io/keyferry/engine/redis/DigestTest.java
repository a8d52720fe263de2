package io.keyferry.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a digest promises: the same reply gives the same digest whether it is digested from the socket's bytes or from
 * a reply parsed already; members and pairs in another order give the same, any other difference another.
 */
class DigestTest {

    @Test
    void aReplyDigestedAsItIsReadEqualsTheSameReplyParsedThenDigested() throws IOException {
        for (Digest.Shape shape : Digest.Shape.values()) {
            for (Object reply : List.of(sample(shape, 0), sample(shape, 1), sample(shape, 7), sample(shape, 300))) {
                Object streamed = digest(encode(reply), shape, Long.MAX_VALUE);
                assertEquals(Digest.of(reply, shape), streamed, shape + " " + reply);
            }
        }
    }

    @Test
    void elementsLongerThanTheReadBufferAreDigestedAsThoseWithinIt() throws IOException {
        byte[] big = new byte[200_000]; // spans three fills of the reader's 64 KiB buffer
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        List<Object> list = List.of(b("head"), big, b("tail"));
        assertEquals(Digest.of(list, Digest.Shape.ORDERED), digest(encode(list), Digest.Shape.ORDERED, Long.MAX_VALUE));
        byte[] changed = big.clone();
        changed[150_001] ^= 1;
        assertNotEquals(Digest.of(list, Digest.Shape.ORDERED),
                digest(encode(List.of(b("head"), changed, b("tail"))), Digest.Shape.ORDERED, Long.MAX_VALUE));
    }

    @Test
    void membersAndPairsInAnotherOrderDigestTheSameAndAListInAnotherOrderDoesNot() {
        assertEquals(Digest.of(page("a", "b", "c"), Digest.Shape.SCAN_SINGLES), Digest.of(page("c", "a", "b"), Digest.Shape.SCAN_SINGLES));
        assertEquals(Digest.of(page("f", "1", "g", "2"), Digest.Shape.SCAN_PAIRS),
                Digest.of(page("g", "2", "f", "1"), Digest.Shape.SCAN_PAIRS));
        assertNotEquals(Digest.of(list("a", "b", "c"), Digest.Shape.ORDERED), Digest.of(list("c", "b", "a"), Digest.Shape.ORDERED));
    }

    @Test
    void anyOtherDifferenceGivesAnotherDigest() {
        Object hash = page("f", "1", "g", "2");
        for (Object other : List.of(page("f", "2", "g", "1"), page("1", "f", "g", "2"), page("f", "1", "g", "3"),
                page("f", "1"), page("f", "1", "g", "2", "h", "3"), page("f", "1", "g", "2\0"), page("f1", "", "g", "2"))) {
            assertNotEquals(Digest.of(hash, Digest.Shape.SCAN_PAIRS), Digest.of(other, Digest.Shape.SCAN_PAIRS), other.toString());
        }
        for (String s : List.of("12345678", "12345679", "1234567", "123456780", "", "\0", "\0\0")) {
            for (String t : List.of("12345678", "12345679", "1234567", "123456780", "", "\0", "\0\0")) {
                assertEquals(s.equals(t), Digest.of(b(s), Digest.Shape.BULK).equals(Digest.of(b(t), Digest.Shape.BULK)), s + " / " + t);
            }
        }
        List<Object> unfinished = new ArrayList<>(page("a", "b"));
        unfinished.set(0, b("17"));
        assertNotEquals(Digest.of(page("a", "b"), Digest.Shape.SCAN_SINGLES), Digest.of(unfinished, Digest.Shape.SCAN_SINGLES),
                "a page that is not the last is not the whole value");
    }

    @Test
    void errorsAndNilsComeBackAsTheyAreAndOtherLayoutsAsUnreadable() throws IOException {
        assertEquals(new Resp.Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                digest("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", Digest.Shape.SCAN_PAIRS));
        assertNull(digest("$-1\r\n", Digest.Shape.BULK));
        assertSame(Digest.UNREADABLE, digest(":5\r\n", Digest.Shape.BULK));
        assertSame(Digest.UNREADABLE, digest("*2\r\n:1\r\n$1\r\na\r\n", Digest.Shape.ORDERED));
        assertSame(Digest.UNREADABLE, digest("*3\r\n$1\r\n0\r\n*0\r\n$1\r\na\r\n", Digest.Shape.SCAN_SINGLES));
        assertSame(Digest.UNREADABLE, digest("*2\r\n*1\r\n$1\r\nx\r\n*0\r\n", Digest.Shape.SCAN_SINGLES));
        assertSame(Digest.UNREADABLE, digest("*2\r\n$1\r\n0\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Digest.Shape.SCAN_PAIRS));
        assertSame(Digest.UNREADABLE, Digest.of(List.of(b("0"), List.of(b("a"), b("b"), b("c"))), Digest.Shape.SCAN_PAIRS));
    }

    /** Each odd reply above is read to its end: what follows it on the connection is read as the next reply. */
    @Test
    void anUnreadableReplyIsReadThroughSoTheNextReplyIsReadInStep() throws IOException {
        RespReader in = new RespReader(new ByteArrayInputStream(
                ("*3\r\n$1\r\n0\r\n*1\r\n$1\r\nz\r\n$1\r\na\r\n*2\r\n:1\r\n*1\r\n$1\r\nb\r\n"
                        + "*2\r\n$1\r\n0\r\n$1\r\nx\r\n+OK\r\n").getBytes(StandardCharsets.UTF_8)));
        assertSame(Digest.UNREADABLE, in.digest(Digest.Shape.SCAN_SINGLES, Long.MAX_VALUE));
        assertSame(Digest.UNREADABLE, in.digest(Digest.Shape.ORDERED, Long.MAX_VALUE));
        assertSame(Digest.UNREADABLE, in.digest(Digest.Shape.SCAN_PAIRS, Long.MAX_VALUE), "a page whose second part is no array");
        assertEquals("OK", new String((byte[]) in.reply(), StandardCharsets.US_ASCII));
    }

    @Test
    void aReplyPastItsBudgetIsReadThroughAndDropped() throws IOException {
        RespReader in = new RespReader(new ByteArrayInputStream(concat(encode(list("0123456789", "0123456789")), b("+OK\r\n"))));
        assertSame(Resp.OVER_BUDGET, in.digest(Digest.Shape.ORDERED, 15));
        assertEquals("OK", new String((byte[]) in.reply(), StandardCharsets.US_ASCII));
    }

    private static Object digest(String wire, Digest.Shape shape) throws IOException {
        return digest(wire.getBytes(StandardCharsets.UTF_8), shape, Long.MAX_VALUE);
    }

    private static Object digest(byte[] wire, Digest.Shape shape, long budget) throws IOException {
        InputStream slow = new ByteArrayInputStream(wire) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7)); // replies arrive in pieces, as from a socket
            }
        };
        Object small = new RespReader(slow).digest(shape, budget);
        assertEquals(small, new RespReader(new ByteArrayInputStream(wire)).digest(shape, budget), "however the bytes arrive");
        return small;
    }

    private static Object sample(Digest.Shape shape, int n) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < (shape == Digest.Shape.SCAN_PAIRS ? 2 * n : n); i++) {
            items.add("element-" + i + "-" + "x".repeat(i % 40));
        }
        return switch (shape) {
            case BULK -> b(String.join(",", items));
            case ORDERED -> list(items.toArray(new String[0]));
            case SCAN_SINGLES, SCAN_PAIRS -> page(items.toArray(new String[0]));
        };
    }

    private static List<Object> list(String... items) {
        List<Object> out = new ArrayList<>();
        Arrays.stream(items).forEach(s -> out.add(b(s)));
        return out;
    }

    private static List<Object> page(String... items) {
        return List.of(b("0"), list(items));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encode(Object reply) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        write(out, reply);
        return out.toByteArray();
    }

    private static void write(java.io.ByteArrayOutputStream out, Object reply) {
        if (reply instanceof byte[] bytes) {
            out.writeBytes(b("$" + bytes.length + "\r\n"));
            out.writeBytes(bytes);
            out.writeBytes(b("\r\n"));
        } else {
            List<?> items = (List<?>) reply;
            out.writeBytes(b("*" + items.size() + "\r\n"));
            items.forEach(i -> write(out, i));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
