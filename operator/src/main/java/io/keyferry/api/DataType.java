package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The Redis data types KeyFerry copies. */
public enum DataType {
    @JsonProperty("string") STRING("string"),
    @JsonProperty("hash") HASH("hash"),
    @JsonProperty("list") LIST("list"),
    @JsonProperty("set") SET("set"),
    @JsonProperty("zset") ZSET("zset"),
    @JsonProperty("stream") STREAM("stream");

    /** values() clones its array on every call: this is asked for every key read. */
    private static final DataType[] ALL = values();

    private final String wireName;

    DataType(String wireName) { this.wireName = wireName; }

    /** The name TYPE answers and manifests use. */
    public String wireName() { return wireName; }

    /** Maps a TYPE reply to a data type; null for types KeyFerry cannot copy (modules, none). */
    public static DataType fromTypeReply(String reply) {
        if (reply == null) {
            return null;
        }
        for (DataType d : ALL) {
            if (d.wireName.equals(reply)) { // as Redis answers: no case folding for the common case
                return d;
            }
        }
        String t = reply.toLowerCase(java.util.Locale.ROOT);
        if (t.equals("streams")) { // Pika names it so
            return STREAM;
        }
        for (DataType d : ALL) {
            if (d.wireName.equals(t)) {
                return d;
            }
        }
        return null;
    }
}
