package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * examples/quickstart.sh on a machine that has Java and Maven but no Redis (scripts/without-redis.sh leaves
 * redis-server and redis-cli off PATH): it takes the redis-server of embedded-redis, runs the migration with the
 * built jar and shows the target as the README says. An integration test, run after `package` built the jar.
 */
class QuickstartIT {
    /** The target's keys as the quickstart prints them (remaining TTLs shown as N). */
    private static final String TARGET = """
            KEY                    TYPE    TTL        VALUE
            greeting               string  no TTL     hello from app-redis
            otp:4711               string  TTL Ns 839201
            user:1                 hash    no TTL     name=Alice phone=+1 555 0100 email=alice@example.com plan=pro
            leaderboard            zset    no TTL     mallory:999
            queue:jobs             list    no TTL     resize-image send-email rebuild-index
            tags:popular           set     no TTL     java kubernetes redis
            events                 stream  no TTL     1-1 type signup user alice 2-1 type login user alice
            legacy:session:8f2a    string  TTL Ns {"user":"alice","cart":3}
            legacy:session:91bc    hash    TTL Ns user=bob theme=dark
            legacy:cache:homepage  none    -          (absent)
            config:target-only     string  no TTL     yes
            """;

    @Test
    void runsEndToEndOnTheBundledRedisServerWhereNoneIsInstalled() throws Exception {
        Path log = Files.createTempFile("keyferry-quickstart-", ".log");
        ProcessBuilder quickstart = new ProcessBuilder("../scripts/without-redis.sh", "../examples/quickstart.sh")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        int[] ports = freePorts();
        quickstart.environment().putAll(Map.of("APP_PORT", String.valueOf(ports[0]),
                "TARGET_PORT", String.valueOf(ports[1]), "SESSIONS_PORT", String.valueOf(ports[2])));

        Process process = quickstart.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);

        String out = Files.readString(log);
        assertTrue(ended, "the quickstart did not end:\n" + out);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("bundled in embedded-redis") && out.contains("(no redis-server on PATH)"), out);
        assertTrue(out.contains("keyferry exit code: 0"), out);
        assertTrue(out.contains("DBSIZE: app-redis 7, sessions-redis 3, target 10 (it had 4)"), out);
        assertEquals(TARGET, targetKeys(out), out);
    }

    /** The table after "the target, key by key", without the explanation under each row. */
    private static String targetKeys(String out) {
        String heading = "the target, key by key\n";
        String table = out.substring(out.indexOf(heading) + heading.length());
        StringBuilder rows = new StringBuilder();
        table.lines().filter(l -> !l.startsWith(" "))
                .forEach(l -> rows.append(l.replaceAll("TTL \\d+s +", "TTL Ns ")).append('\n'));
        return rows.toString();
    }

    /** Three ports free at once, so they differ. */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0);
             ServerSocket c = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort(), c.getLocalPort()};
        }
    }
}
