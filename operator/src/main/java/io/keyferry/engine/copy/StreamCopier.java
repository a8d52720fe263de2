package io.keyferry.engine.copy;

import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.StreamIds;
import io.keyferry.engine.redis.StreamInfo;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
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
 * consumer groups with their last-delivered IDs, where both stores keep groups (Pika's streams have none, and
 * its XINFO GROUPS never answers). Pending entries and consumers are not carried.
 */
final class StreamCopier implements TypeCopier {
    private static final ProtocolKeyword XSETID = new ProtocolKeyword() {
        private final byte[] name = "XSETID".getBytes(StandardCharsets.US_ASCII);

        @Override
        public byte[] getBytes() { return name; }

        @Override
        public String toString() { return "XSETID"; }
    };

    private final boolean groups;

    /** @param groups both stores keep consumer groups: the source's are copied */
    StreamCopier(boolean groups) {
        this.groups = groups;
    }

    @Override
    public byte[] sizeCommand() {
        return Cmd.XLEN;
    }

    @Override
    public int readWhole(Pipe source, byte[] key) {
        throw new IllegalStateException("streams are copied by copyChunked, never read whole");
    }

    @Override
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        throw new IllegalStateException("streams are copied by copyChunked, never written whole");
    }

    @Override
    public long copyChunked(RedisLink source, TargetWriter target, Decision d, boolean replay) {
        target.sync(); // a REPLACE's delete must land before the target's last ID is read
        String targetLast = StreamInfo.lastGeneratedId(target.link(), d.targetKey());
        String from = targetLast;
        long bytes = 0;
        int chunks = 0;
        ChunkSize chunk = new ChunkSize();
        while (true) {
            List<StreamMessage<byte[], byte[]>> entries = source.call(source.async().xrange(d.sourceKey(),
                    Range.create(from, "+"), Limit.from(chunk.count() + 1L)));
            int added = 0;
            long read = 0;
            for (StreamMessage<byte[], byte[]> e : entries) {
                long body = Payload.of(e.getBody());
                read += body;
                if (StreamIds.compare(e.getId(), targetLast) > 0) {
                    target.send(d.targetKey(), xadd(d.targetKey(), e));
                    bytes += body;
                    added++;
                }
            }
            chunk.saw(read, entries.size());
            target.flush();
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

    /** The source's last generated ID where the target can take it (XSETID), then the groups. */
    private void copyLastIdAndGroups(RedisLink source, TargetWriter target, Decision d) {
        String sourceLast = StreamInfo.lastGeneratedId(source, d.sourceKey());
        boolean exists = target.link().call(target.link().async().exists(d.targetKey())) > 0;
        if (exists && target.profile().commands().xsetid() && StreamIds.compare(sourceLast, StreamInfo.lastGeneratedId(target.link(), d.targetKey())) > 0) {
            target.link().call(target.link().async().dispatch(XSETID, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                    new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(d.targetKey()).add(sourceLast)));
        }
        StreamInfo.groups(source, groups, d.sourceKey()).forEach((name, lastDelivered) -> copyGroup(target, d, name, lastDelivered));
    }

    private static void copyGroup(TargetWriter target, Decision d, String name, String lastDelivered) {
        StreamOffset<byte[]> offset = StreamOffset.from(d.targetKey(), lastDelivered);
        try {
            target.link().call(target.link().async().xgroupCreate(offset, name.getBytes(StandardCharsets.UTF_8),
                    XGroupCreateArgs.Builder.mkstream()));
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
            if (d.action() != Action.FILL) { // the source's position wins, as values do under Merge
                target.link().call(target.link().async().xgroupSetid(offset, name.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static byte[][] xadd(byte[] key, StreamMessage<byte[], byte[]> entry) {
        byte[][] args = new byte[3 + 2 * entry.getBody().size()][];
        args[0] = Cmd.XADD;
        args[1] = key;
        args[2] = Resp.ascii(entry.getId());
        int i = 3;
        for (Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
            args[i++] = f.getKey();
            args[i++] = f.getValue();
        }
        return args;
    }

    private static String maxId(String a, String b) {
        return StreamIds.compare(a, b) >= 0 ? a : b;
    }
}
