package io.keyferry.engine.copy;

import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Streams, always entry by entry with their IDs (a target stream only accepts IDs above its last one,
 * which also makes a replay skip what was already added), then the last generated ID and the
 * consumer groups with their last-delivered IDs. Pending entries and consumers are not carried.
 */
final class StreamCopier implements TypeCopier {
    private static final String ZERO_ID = "0-0";
    private static final ProtocolKeyword XSETID = new ProtocolKeyword() {
        private final byte[] name = "XSETID".getBytes(StandardCharsets.US_ASCII);

        @Override
        public byte[] getBytes() { return name; }

        @Override
        public String toString() { return "XSETID"; }
    };

    @Override
    public RedisFuture<Long> size(RedisAsyncCommands<byte[], byte[]> source, byte[] key) {
        return source.xlen(key);
    }

    @Override
    public RedisFuture<?> readWhole(RedisAsyncCommands<byte[], byte[]> source, byte[] key) {
        throw new IllegalStateException("streams are copied by copyChunked, never read whole");
    }

    @Override
    public boolean isEmpty(Object value) {
        return ((List<?>) value).isEmpty();
    }

    @Override
    public long payloadBytes(Object value) {
        return 0;
    }

    @Override
    public void writeWhole(TargetWriter target, Decision d, Object value) {
        throw new IllegalStateException("streams are copied by copyChunked, never written whole");
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        target.sync(); // a REPLACE's delete must land before the target's last ID is read
        String targetLast = lastGeneratedId(target.link(), d.targetKey());
        String from = targetLast;
        long bytes = 0;
        int chunks = 0;
        while (true) {
            List<StreamMessage<byte[], byte[]>> entries = source.call(source.async().xrange(d.sourceKey(),
                    Range.create(from, "+"), Limit.from(CHUNK + 1)));
            int added = 0;
            for (StreamMessage<byte[], byte[]> e : entries) {
                if (compareIds(e.getId(), targetLast) > 0) {
                    target.add(target.cmd().xadd(d.targetKey(), new XAddArgs().id(e.getId()), e.getBody()),
                            d.targetKey());
                    bytes += bodyBytes(e.getBody());
                    added++;
                }
            }
            target.link().flush();
            if (++chunks % CHUNKS_IN_FLIGHT == 0) {
                target.sync();
            }
            if (entries.isEmpty() || (added == 0 && entries.size() <= 1)) {
                break;
            }
            from = entries.get(entries.size() - 1).getId();
            targetLast = maxId(targetLast, from);
        }
        target.sync();
        copyLastIdAndGroups(source, target, d);
        return bytes;
    }

    private static void copyLastIdAndGroups(RedisLink source, TargetWriter target, Decision d) {
        String sourceLast = lastGeneratedId(source, d.sourceKey());
        boolean exists = target.link().call(target.cmd().exists(d.targetKey())) > 0;
        if (exists && compareIds(sourceLast, lastGeneratedId(target.link(), d.targetKey())) > 0) {
            target.link().call(target.cmd().dispatch(XSETID, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                    new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(d.targetKey()).add(sourceLast)));
        }
        for (Map<String, Object> group : source.call(source.async().xinfoGroups(d.sourceKey())).stream()
                .map(StreamCopier::asMap).toList()) {
            copyGroup(target, d, (String) group.get("name"), (String) group.get("last-delivered-id"));
        }
    }

    private static void copyGroup(TargetWriter target, Decision d, String name, String lastDelivered) {
        StreamOffset<byte[]> offset = StreamOffset.from(d.targetKey(), lastDelivered);
        try {
            target.link().call(target.cmd().xgroupCreate(offset, name.getBytes(StandardCharsets.UTF_8),
                    XGroupCreateArgs.Builder.mkstream()));
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
            if (d.action() != Action.FILL) { // the source's position wins, as values do under Merge
                target.link().call(target.cmd().xgroupSetid(offset, name.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** The stream's last generated ID, or 0-0 where there is no stream. */
    static String lastGeneratedId(RedisLink link, byte[] key) {
        if (link.call(link.async().exists(key)) == 0) {
            return ZERO_ID;
        }
        Object id = asMap(link.call(link.async().xinfoStream(key))).get("last-generated-id");
        return id == null ? ZERO_ID : id.toString();
    }

    /** XINFO replies are flat [name, value, ...] lists; names and string values arrive as bytes. */
    private static Map<String, Object> asMap(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            Object v = flat.get(i + 1);
            m.put(text(flat.get(i)), v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v);
        }
        return m;
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static int compareIds(String a, String b) {
        long[] x = parseId(a);
        long[] y = parseId(b);
        int c = Long.compareUnsigned(x[0], y[0]);
        return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    }

    private static String maxId(String a, String b) {
        return compareIds(a, b) >= 0 ? a : b;
    }

    private static long[] parseId(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? new long[] {Long.parseUnsignedLong(id), 0}
                : new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
    }

    private static long bodyBytes(Map<byte[], byte[]> body) {
        long n = 0;
        for (Map.Entry<byte[], byte[]> f : body.entrySet()) {
            n += f.getKey().length + f.getValue().length;
        }
        return n;
    }

}
