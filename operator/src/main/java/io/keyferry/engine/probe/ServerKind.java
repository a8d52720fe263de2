package io.keyferry.engine.probe;

/** The Redis-protocol store behind an endpoint, as INFO tells it. */
public enum ServerKind {
    REDIS, KVROCKS, PIKA, UNKNOWN;

    static ServerKind fromInfo(java.util.Map<String, String> info) {
        if (info.containsKey("kvrocks_version")) {
            return KVROCKS;
        }
        if (info.containsKey("pika_version")) {
            return PIKA;
        }
        return info.containsKey("redis_version") ? REDIS : UNKNOWN;
    }
}
