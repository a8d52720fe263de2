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
 * its XINFO GROUPS never answers). Pending entries and consumers are not carried. A small stream copied into an absent
 * key is read and written whole in the batch's pipelines ({@link #readWhole}); big ones, merges and the replay of an
 * interrupted batch go chunk by chunk ({@link #copyChunked}), which asks the target where its stream ends.
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

    /**
     * A small stream copied whole, where no DUMP payload can carry it: its entries (XRANGE), its last generated ID
     * (XINFO STREAM) and its groups (XINFO GROUPS, where they are copied), read in the batch's pipeline; its replies
     * stand together ({@link WholeStream}) at the index returned.
     */
    @Override
    public int readWhole(Pipe source, byte[] key) {
        int at = source.send(Cmd.XRANGE, key, Cmd.MIN, Cmd.MAX);
        source.send(Cmd.XINFO, Cmd.STREAM, key);
        if (groups) {
            source.send(Cmd.XINFO, Cmd.GROUPS, key);
        }
        return at;
    }

    @Override
    public Object wholeReply(List<Object> replies, int at) {
        return WholeStream.of(replies, at, groups);
    }

    @Override
    public boolean isEmpty(Object value) {
        return false; // a stream with no entries left still has its last ID and groups
    }

    @Override
    public long payloadBytes(Object value) {
        return Resp.payload(((WholeStream) value).entries());
    }

    /**
     * Only into a key that is absent (COPY, or REPLACE after its delete), in one go in the batch's pipeline: the
     * entries under their IDs, the groups, then the last ID where it lies past the last entry and the target takes it.
     * A stream without entries or groups writes nothing (as the chunked copy): there is nothing a target can hold of it.
     */
    @Override
    public void writeWhole(TargetWriter target, Decision d, Object value, long now) {
        WholeStream stream = (WholeStream) value;
        byte[] key = d.targetKey();
        for (Object e : stream.entries()) {
            List<?> entry = (List<?>) e;
            List<?> body = (List<?>) entry.get(1);
            byte[][] args = new byte[3 + body.size()][];
            args[0] = Cmd.XADD;
            args[1] = key;
            args[2] = (byte[]) entry.get(0);
            for (int i = 0; i < body.size(); i++) {
                args[3 + i] = (byte[]) body.get(i);
            }
            target.send(key, args);
        }
        if (stream.entries().isEmpty() && stream.groups().isEmpty()) {
            return;
        }
        for (byte[][] group : stream.groups()) {
            target.send(key, Cmd.XGROUP, Cmd.CREATE, key, group[0], group[1], Cmd.MKSTREAM);
        }
        if (stream.idPastEntries() && target.profile().commands().xsetid()) {
            target.send(key, Cmd.XSETID, key, stream.lastId());
        }
        target.applyTtl(d, now);
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
