package io.keyferry.testing.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a real store answered to a script of commands, one exchange per line (src/test/resources/peers, copied
 * from shared/peers: Redis 7.0.15, Kvrocks of 2024-10-24, Pika 4.0.1; see its README). Replies are read into
 * {@link Wire}'s model; a reply that never came is {@link #NO_REPLY}.
 */
public final class Recording {
    /** The store sent nothing back (recorded as "no reply within 5 s"). */
    public static final Object NO_REPLY = new Object() {
        @Override
        public String toString() { return "(no reply)"; }
    };

    /** One command as sent and the reply it got, with the step of the script it belongs to. */
    public record Exchange(int line, String step, List<byte[]> cmd, Object reply) {
        public String command() {
            return String.join(" ", cmd.stream().map(Wire::text).toList());
        }

        public String name() {
            return Wire.text(cmd.get(0)).toUpperCase(java.util.Locale.ROOT);
        }
    }

    private final String store;
    private final List<Exchange> exchanges;

    private Recording(String store, List<Exchange> exchanges) {
        this.store = store;
        this.exchanges = exchanges;
    }

    public static Recording of(String store) {
        String path = "/peers/" + store + ".jsonl";
        try (InputStream in = Recording.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no recording " + path + " on the test class path");
            }
            ObjectMapper json = new ObjectMapper();
            List<Exchange> exchanges = new ArrayList<>();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int n = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                n++;
                JsonNode row = json.readTree(line);
                List<byte[]> cmd = new ArrayList<>();
                row.get("cmd").forEach(a -> cmd.add(Wire.bytes(a.asText())));
                exchanges.add(new Exchange(n, row.get("step").asText(), cmd, reply(row.get("reply"))));
            }
            return new Recording(store, List.copyOf(exchanges));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String store() { return store; }

    public List<Exchange> exchanges() { return exchanges; }

    /** The reply recorded for exactly this command, the first time it was sent, or null if it never was. */
    public Exchange find(List<byte[]> cmd) {
        for (Exchange e : exchanges) {
            if (sameCommand(e.cmd(), cmd)) {
                return e;
            }
        }
        return null;
    }

    /** Names of the commands this store answered with "unknown command". */
    public java.util.Set<String> unknownCommands() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Exchange e : exchanges) {
            if (e.reply() instanceof Wire.Err err && err.text().startsWith("ERR unknown command")) {
                names.add(e.name());
            }
        }
        return names;
    }

    private static boolean sameCommand(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            boolean same = i == 0 ? Wire.text(a.get(i)).equalsIgnoreCase(Wire.text(b.get(i)))
                    : java.util.Arrays.equals(a.get(i), b.get(i));
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static Object reply(JsonNode r) {
        String t = r.get("t").asText();
        JsonNode v = r.get("v");
        return switch (t) {
            case "simple" -> new Wire.Simple(v.asText());
            case "error" -> new Wire.Err(v.asText());
            case "int" -> v.asLong();
            case "bulk", "verbatim", "double" -> v.isObject() ? HexFormat.of().parseHex(v.get("hex").asText()) : Wire.bytes(v.asText());
            case "bool" -> v.asBoolean() ? 1L : 0L;
            case "nil" -> null;
            case "array", "set" -> {
                List<Object> items = new ArrayList<>();
                v.forEach(item -> items.add(reply(item)));
                yield items;
            }
            case "map" -> {
                List<Object> flat = new ArrayList<>();
                v.forEach(pair -> pair.forEach(item -> flat.add(reply(item))));
                yield flat;
            }
            default -> NO_REPLY; // no reply within 5 s, closed, server down
        };
    }
}
