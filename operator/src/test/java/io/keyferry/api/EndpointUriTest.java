package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointUriTest {

    @Test
    void redisUriGivesHostPortAndDatabase() {
        assertEquals(new EndpointUri(false, "pika-0.pika", 9221, 3), EndpointUri.parse("redis://pika-0.pika:9221/3"));
    }

    @Test
    void redissMeansTls() {
        assertEquals(new EndpointUri(true, "kvrocks", 6666, 0), EndpointUri.parse("rediss://kvrocks:6666/0"));
    }

    @Test
    void portDefaultsTo6379AndDatabaseTo0() {
        assertEquals(new EndpointUri(false, "cache", 6379, 0), EndpointUri.parse("redis://cache"));
        assertEquals(new EndpointUri(false, "cache", 6379, 0), EndpointUri.parse("redis://cache/"));
    }

    @Test
    void databaseIndexMayExceed15BecauseKvrocksAndPikaHaveMore() {
        assertEquals(40, EndpointUri.parse("redis://pika:9221/40").db());
    }

    @Test
    void ipv6HostIsGivenWithoutBrackets() {
        assertEquals(new EndpointUri(false, "::1", 6390, 0), EndpointUri.parse("redis://[::1]:6390/0"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://cache:6379/0          | scheme 'http' is not supported; use redis:// or rediss://
            localhost:6379               | scheme 'localhost' is not supported; use redis:// or rediss://
            //cache:6379/0               | has no scheme; use redis://host:port/db or rediss://host:port/db
            redis:6379                   | has no host; use redis://host:port/db
            redis://my_cache:6379/0      | 'my_cache:6379' is not a valid host[:port]
            redis://cache:0/0            | port 0 is out of range; use 1 to 65535
            redis://cache:70000/0        | port 70000 is out of range; use 1 to 65535
            redis://cache:6379/users     | path '/users' is not a database index; use /0, /1, ... or leave it out for 0
            redis://cache:6379/-1        | path '/-1' is not a database index; use /0, /1, ... or leave it out for 0
            redis://cache:6379/0?db=1    | query parameters and fragments are not supported; use redis://host:port/db
            redis://cache 6379           | is not a valid URI (Illegal character in authority at index 8)
            """)
    void rejectsWithAMessageThatSaysWhatToUse(String uri, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> EndpointUri.parse(uri)).getMessage());
    }

    @Test
    void credentialsAreRejectedWithoutRepeatingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EndpointUri.parse("redis://admin:s3cret@cache:6379/0"));
        assertEquals("must not hold credentials (secrets do not belong in manifests);"
                + " use passwordSecretRef and usernameSecretRef", e.getMessage());
    }

    @Test
    void blankIsRequired() {
        assertEquals("is required, e.g. redis://host:6379/0",
                assertThrows(IllegalArgumentException.class, () -> EndpointUri.parse(" ")).getMessage());
    }
}
