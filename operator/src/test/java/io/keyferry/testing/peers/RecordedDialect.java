package io.keyferry.testing.peers;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Kvrocks and Pika share in how a double plays them: commands their recording answered "unknown command"
 * are unknown with any arguments; commands that describe the server rather than the data (INFO, CONFIG GET,
 * COMMAND, ROLE, CLUSTER, HELLO, DEBUG, CLIENT INFO) are answered as recorded; DBSIZE answers 0, as both did
 * with keys present. The rest is the store's own ({@link #data}), by default the redis-server's answer.
 */
abstract class RecordedDialect implements Dialect {
    private static final Set<String> DESCRIBING = Set.of("INFO", "CONFIG", "COMMAND", "ROLE", "CLUSTER", "HELLO",
            "DEBUG", "CLIENT");
    private static final List<String> INFO_SECTIONS = List.of("server", "replication", "persistence", "keyspace");

    final Recording recording;
    private final Set<String> unknown;

    RecordedDialect(String store, Set<String> alsoUnknown) {
        this.recording = Recording.of(store);
        this.unknown = new java.util.HashSet<>(recording.unknownCommands());
        this.unknown.addAll(alsoUnknown);
    }

    @Override
    public String store() {
        return recording.store();
    }

    @Override
    public final Step handle(List<byte[]> cmd) {
        String name = name(cmd);
        if (unknown.contains(name)) {
            return new Answer(new Wire.Err(unknownCommand(cmd)));
        }
        if (name.equals("DBSIZE")) {
            return new Answer(0L);
        }
        if (name.equals("INFO")) {
            return new Answer(info(cmd));
        }
        if (DESCRIBING.contains(name)) {
            Recording.Exchange recorded = recording.find(cmd);
            if (recorded != null) {
                return new Answer(recorded.reply());
            }
        }
        if (name.equals("HSCAN") || name.equals("SSCAN") || name.equals("ZSCAN")) {
            return pages.page(name, cmd);
        }
        return data(name, cmd);
    }

    /** Pages of a hash, set or sorted set, {@code COUNT} elements each in the order of their bytes. */
    private final CollectionPages pages = new CollectionPages(this::cursor, this::offset, this::collectionPage);

    /** The cursor that stands for the next page starting at {@code offset}. */
    abstract String cursor(long offset);

    /** Where the page a cursor stands for starts. */
    abstract long offset(String cursor);

    /** The store's reply to a page of a collection ([cursor, elements]) or to a wrong type, made from Redis'. */
    Object collectionPage(String name, Object reply) {
        return reply;
    }

    /** The store's answer to a command its recording does not answer whole. */
    abstract Step data(String name, List<byte[]> cmd);

    /** The store's words for a command it does not have. */
    abstract String unknownCommand(List<byte[]> cmd);

    /** INFO of one recorded section, or of them all. */
    Object info(List<byte[]> cmd) {
        if (cmd.size() > 1) {
            Recording.Exchange recorded = recording.find(cmd);
            return recorded == null ? new byte[0] : recorded.reply();
        }
        StringBuilder all = new StringBuilder();
        for (String section : INFO_SECTIONS) {
            Recording.Exchange e = recording.find(List.of(Wire.bytes("INFO"), Wire.bytes(section)));
            if (e != null) {
                all.append(Wire.text((byte[]) e.reply())).append("\r\n");
            }
        }
        return Wire.bytes(all.toString());
    }

    static String name(List<byte[]> cmd) {
        return Wire.text(cmd.get(0)).toUpperCase(Locale.ROOT);
    }

    static String arg(List<byte[]> cmd, int i) {
        return i < cmd.size() ? Wire.text(cmd.get(i)).toUpperCase(Locale.ROOT) : "";
    }

    /** The command with argument {@code i} replaced. */
    static List<byte[]> with(List<byte[]> cmd, int i, String value) {
        List<byte[]> copy = new java.util.ArrayList<>(cmd);
        copy.set(i, Wire.bytes(value));
        return copy;
    }

    static List<byte[]> command(String... args) {
        return java.util.Arrays.stream(args).map(Wire::bytes).toList();
    }

    /** A flat [name, value, ...] reply (XINFO's) with only the named fields, in their order. */
    static Object fields(Object reply, Set<String> names) {
        if (!(reply instanceof List<?> flat)) {
            return reply;
        }
        List<Object> kept = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (flat.get(i) instanceof byte[] field && names.contains(Wire.text(field))) {
                kept.add(flat.get(i));
                kept.add(flat.get(i + 1));
            }
        }
        return kept;
    }
}
