package io.keyferry.engine.redis;

/** Command names and fixed arguments, encoded once, for {@link Pipe}. */
public final class Cmd {
    private Cmd() {}

    public static final byte[] TYPE = Resp.ascii("TYPE");
    public static final byte[] PTTL = Resp.ascii("PTTL");
    public static final byte[] EXISTS = Resp.ascii("EXISTS");
    public static final byte[] DUMP = Resp.ascii("DUMP");
    public static final byte[] RESTORE = Resp.ascii("RESTORE");
    public static final byte[] REPLACE = Resp.ascii("REPLACE");
    public static final byte[] DEL = Resp.ascii("DEL");
    public static final byte[] UNLINK = Resp.ascii("UNLINK");
    public static final byte[] PERSIST = Resp.ascii("PERSIST");
    public static final byte[] EXPIRE = Resp.ascii("EXPIRE");
    public static final byte[] PEXPIRE = Resp.ascii("PEXPIRE");
    public static final byte[] GET = Resp.ascii("GET");
    public static final byte[] SET = Resp.ascii("SET");
    public static final byte[] MSET = Resp.ascii("MSET");
    public static final byte[] EX = Resp.ascii("EX");
    public static final byte[] PX = Resp.ascii("PX");
    public static final byte[] STRLEN = Resp.ascii("STRLEN");
    public static final byte[] GETRANGE = Resp.ascii("GETRANGE");
    public static final byte[] HLEN = Resp.ascii("HLEN");
    public static final byte[] HGETALL = Resp.ascii("HGETALL");
    public static final byte[] HSET = Resp.ascii("HSET");
    public static final byte[] HMSET = Resp.ascii("HMSET");
    public static final byte[] HSETNX = Resp.ascii("HSETNX");
    public static final byte[] HMGET = Resp.ascii("HMGET");
    public static final byte[] LTRIM = Resp.ascii("LTRIM");
    public static final byte[] HSCAN = Resp.ascii("HSCAN");
    public static final byte[] LLEN = Resp.ascii("LLEN");
    public static final byte[] LRANGE = Resp.ascii("LRANGE");
    public static final byte[] RPUSH = Resp.ascii("RPUSH");
    public static final byte[] SCARD = Resp.ascii("SCARD");
    public static final byte[] SMEMBERS = Resp.ascii("SMEMBERS");
    public static final byte[] SADD = Resp.ascii("SADD");
    public static final byte[] SISMEMBER = Resp.ascii("SISMEMBER");
    public static final byte[] SMISMEMBER = Resp.ascii("SMISMEMBER");
    public static final byte[] SSCAN = Resp.ascii("SSCAN");
    public static final byte[] ZCARD = Resp.ascii("ZCARD");
    public static final byte[] ZRANGE = Resp.ascii("ZRANGE");
    public static final byte[] ZADD = Resp.ascii("ZADD");
    public static final byte[] ZSCORE = Resp.ascii("ZSCORE");
    public static final byte[] ZMSCORE = Resp.ascii("ZMSCORE");
    public static final byte[] ZSCAN = Resp.ascii("ZSCAN");
    public static final byte[] XLEN = Resp.ascii("XLEN");
    public static final byte[] XADD = Resp.ascii("XADD");
    public static final byte[] XRANGE = Resp.ascii("XRANGE");
    public static final byte[] WATCH = Resp.ascii("WATCH");
    public static final byte[] MULTI = Resp.ascii("MULTI");
    public static final byte[] EXEC = Resp.ascii("EXEC");
    public static final byte[] EVAL = Resp.ascii("EVAL");
    public static final byte[] WITHSCORES = Resp.ascii("WITHSCORES");
    public static final byte[] NX = Resp.ascii("NX");
    public static final byte[] COUNT = Resp.ascii("COUNT");
    public static final byte[] ZERO = Resp.ascii("0");
    public static final byte[] MIN = Resp.ascii("-");
    public static final byte[] MAX = Resp.ascii("+");
    public static final byte[] LAST = Resp.ascii("-1");
    public static final byte[] XINFO = Resp.ascii("XINFO");
    public static final byte[] STREAM = Resp.ascii("STREAM");
    public static final byte[] GROUPS = Resp.ascii("GROUPS");
    public static final byte[] XGROUP = Resp.ascii("XGROUP");
    public static final byte[] CREATE = Resp.ascii("CREATE");
    public static final byte[] MKSTREAM = Resp.ascii("MKSTREAM");
    public static final byte[] XSETID = Resp.ascii("XSETID");

    /**
     * The key of a command, for a cluster's routing: its second argument, but the third of a command with a
     * subcommand (XINFO STREAM key, XGROUP CREATE key ...); null for a command without one.
     */
    public static byte[] key(byte[][] args) {
        if (args.length > 2 && (args[0] == XINFO || args[0] == XGROUP)) {
            return args[2];
        }
        return args.length > 1 ? args[1] : null;
    }
}
