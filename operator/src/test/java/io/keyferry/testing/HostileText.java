package io.keyferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Malformed, deep, huge and wrongly typed variants of a valid YAML or JSON document, for property tests of what reads
 * one: every variant comes from a seeded {@link Random}, so a failing one is replayed from its seed. Half of them
 * break the text (a span cut out or doubled, special characters and control bytes put in, a line moved or
 * re-indented, the text cut short, an alias bomb), half change the document's tree and write it out again (a value
 * swapped for one of another type, a field added or removed, a value nested thousands deep, a scalar of megabytes).
 */
public final class HostileText {
    /**
     * What Java says about itself, which a user cannot act on: exception names, a stack frame ("at
     * io.keyferry.api.X.check(X.java:12)", not "also at spec.sources[1].name"), Jackson's and our own package names.
     */
    public static final java.util.regex.Pattern JAVA = java.util.regex.Pattern.compile("Exception|"
            + "\\bat [a-z][\\w$]*(\\.[\\w$]+)+\\(|com\\.fasterxml|java\\.lang|io\\.keyferry|reference chain|\\[Source:");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TOKENS = {":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "!!binary ",
        "!!python/object:os.system ", "!<tag:yaml.org,2002:str> ", "|", ">-", "%YAML 1.1\n", "---\n", "...\n", "'", "\"",
        "\\", "#", "@", "`", "\t", "\u0000", "\u0007", "\u001b[31m", "\ud800", "\uffff", "\u202e", "~", "null", "?", "<<: *a\n",
        "\r", "\n", "\n  ", "\n\t- ", "9".repeat(400), "1e99999", "-0x7fffffffffffffff", "0o777", ".nan", "yes", "NO", "=",
        "${KEYFERRY_SPEC}", "&anchor [", "*undefined"};

    private final Random random;
    private final String base;
    private final JsonNode tree;
    private final boolean json;

    /** Variants of {@code base}, a YAML document (or JSON, when {@code json}), drawn from {@code random}. */
    public HostileText(Random random, String base, boolean json) {
        this.random = random;
        this.base = base;
        this.json = json;
        try {
            this.tree = json ? JSON.readTree(base) : YAML.readTree(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next variant. */
    public String next() {
        return switch (random.nextInt(12)) {
            case 0 -> cut(base);
            case 1 -> insert(base, TOKENS[random.nextInt(TOKENS.length)]);
            case 2 -> insert(base, randomChars(1 + random.nextInt(20)));
            case 3 -> moveLine(base);
            case 4 -> base.substring(0, random.nextInt(base.length() + 1));
            case 5 -> repeatSpan(base);
            case 6 -> aliasBomb();
            default -> write(changeTree(tree.deepCopy()));
        };
    }

    private String cut(String s) {
        int from = random.nextInt(s.length());
        return s.substring(0, from) + s.substring(Math.min(s.length(), from + 1 + random.nextInt(40)));
    }

    private String insert(String s, String what) {
        int at = random.nextInt(s.length() + 1);
        return s.substring(0, at) + what + s.substring(at);
    }

    private String randomChars(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) (random.nextBoolean() ? random.nextInt(128) : random.nextInt(0x10000)));
        }
        return sb.toString();
    }

    private String moveLine(String s) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        String line = lines.remove(random.nextInt(lines.size()));
        String indent = random.nextBoolean() ? " ".repeat(random.nextInt(9)) : "\t";
        lines.add(random.nextInt(lines.size() + 1), random.nextBoolean() ? indent + line.strip() : line);
        return String.join("\n", lines);
    }

    private String repeatSpan(String s) {
        int from = random.nextInt(s.length());
        int to = Math.min(s.length(), from + 1 + random.nextInt(200));
        return s.substring(0, to) + s.substring(from, to).repeat(1 + random.nextInt(2000)) + s.substring(to);
    }

    /** Aliases nested so that the document they expand to holds millions of nodes. */
    private String aliasBomb() {
        StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        int levels = 2 + random.nextInt(8);
        for (int i = 1; i <= levels; i++) {
            sb.append('a').append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        return base + "\n" + sb.toString().replace("a0:", "spec2:");
    }

    private JsonNode changeTree(JsonNode root) {
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        Slot slot = slots.get(random.nextInt(slots.size()));
        switch (random.nextInt(4)) {
            case 0 -> slot.set(randomValue(0));
            case 1 -> slot.set(deep(1 + random.nextInt(random.nextBoolean() ? 50 : 20_000)));
            case 2 -> slot.remove();
            default -> slot.addField("unexpected" + random.nextInt(100), randomValue(0));
        }
        return root;
    }

    private JsonNode randomValue(int depth) {
        return switch (random.nextInt(depth > 2 ? 7 : 9)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextLong());
            case 3 -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(600) - 300));
            case 4 -> NODES.textNode(randomChars(random.nextInt(30)));
            case 5 -> NODES.textNode("x".repeat(1 << (10 + random.nextInt(11)))); // up to 1 MiB
            case 6 -> NODES.numberNode(new java.math.BigInteger(1 + random.nextInt(2000), random));
            case 7 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    a.add(randomValue(depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    o.set(randomChars(1 + random.nextInt(8)), randomValue(depth + 1));
                }
                yield o;
            }
        };
    }

    private JsonNode deep(int depth) {
        JsonNode node = NODES.textNode("bottom");
        boolean lists = random.nextBoolean();
        for (int i = 0; i < depth; i++) {
            node = lists ? NODES.arrayNode().add(node) : NODES.objectNode().set("a", node);
        }
        return node;
    }

    /** Written out again; a tree too deep for the writer is written by hand. */
    private String write(JsonNode node) {
        try {
            return json || random.nextBoolean() ? JSON.writeValueAsString(node) : YAML.writeValueAsString(node);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            return flowStyle(node); // JSON is YAML too
        }
    }

    private static String flowStyle(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        java.util.Deque<Object> todo = new java.util.ArrayDeque<>(List.of(node));
        while (!todo.isEmpty()) {
            Object next = todo.pop();
            if (next instanceof String s) {
                sb.append(s);
            } else if (next instanceof JsonNode n && n.isArray()) {
                List<Object> parts = new ArrayList<>(List.of("["));
                for (int i = 0; i < n.size(); i++) {
                    parts.add(i == 0 ? "" : ",");
                    parts.add(n.get(i));
                }
                parts.add("]");
                java.util.Collections.reverse(parts);
                parts.forEach(todo::push);
            } else if (next instanceof JsonNode n && n.isObject()) {
                List<Object> parts = new ArrayList<>(List.of("{"));
                Iterator<Map.Entry<String, JsonNode>> fields = n.fields();
                boolean first = true;
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    parts.add((first ? "" : ",") + NODES.textNode(f.getKey()) + ":");
                    parts.add(f.getValue());
                    first = false;
                }
                parts.add("}");
                java.util.Collections.reverse(parts);
                parts.forEach(todo::push);
            } else {
                sb.append(next);
            }
        }
        return sb.toString();
    }

    /** A place in the tree: a field of an object or an item of a list. */
    private record Slot(JsonNode parent, String field, int index) {
        void set(JsonNode value) {
            if (parent instanceof ObjectNode o) {
                o.set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode o) {
                o.remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }

        void addField(String name, JsonNode value) {
            if (parent instanceof ObjectNode o) {
                o.set(name, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(f -> {
                slots.add(new Slot(o, f, -1));
                collect(o.get(f), slots);
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                slots.add(new Slot(a, null, i));
                collect(a.get(i), slots);
            }
        }
    }
}
