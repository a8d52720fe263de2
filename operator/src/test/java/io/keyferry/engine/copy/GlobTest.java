package io.keyferry.engine.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The glob rules of SCAN MATCH, applied here for stores that only match prefixes. */
class GlobTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "user:*, user:1, true",
            "user:*, order:1, false",
            "user:?, user:12, false",
            "user:??, user:12, true",
            "*:session, web:session, true",
            "*:session, web:sessions, false",
            "h[ae]llo, hallo, true",
            "h[^e]llo, hello, false",
            "h[a-c]llo, hbllo, true",
            "h[a-c]llo, hdllo, false",
            "a\\*b, a*b, true",
            "a\\*b, axb, false",
            "**x, abcx, true",
            "'', '', true"})
    void matchesLikeRedis(String pattern, String key, boolean expected) {
        assertEquals(expected, new Glob(bytes(pattern)).matches(bytes(key)));
    }

    @ParameterizedTest(name = "{0} has literal prefix {1}, prefix-only: {2}")
    @CsvSource({"user:*, user:, true", "user:*:x, user:, false", "*, '', true", "a?b*, a, false"})
    void splitsTheLiteralPrefix(String pattern, String prefix, boolean prefixOnly) {
        Glob g = new Glob(bytes(pattern));
        assertArrayEquals(bytes(prefix), g.literalPrefix());
        assertEquals(prefixOnly, g.isPrefixPattern());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
