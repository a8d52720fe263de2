package io.keyferry.engine.verify;

import io.keyferry.api.DataType;
import io.keyferry.api.Policy;
import io.keyferry.engine.copy.ChunkSize;
import io.keyferry.engine.copy.Payload;
import io.keyferry.engine.probe.Commands;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.StreamInfo;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Checks a big key written by one source, chunk by chunk, so memory does not grow with its size:
 * each page of the source is checked in the target, then (for an exact copy) the sizes are compared.
 */
final class ChunkedCheck {
    private static final int CHUNK = 500;
    private static final int STRING_CHUNK = 1 << 20;

    private final RedisLink source;
    private final Commands sourceCommands;
    private final RedisLink target;
    private final Commands targetCommands;

    ChunkedCheck(RedisLink source, Commands sourceCommands, RedisLink target, Commands targetCommands) {
        this.source = source;
        this.sourceCommands = sourceCommands;
        this.target = target;
        this.targetCommands = targetCommands;
    }

    /** The first difference between the source key and the target key under the policy, or null. */
    String difference(DataType type, Policy policy, byte[] sourceKey, byte[] targetKey) {
        boolean exact = policy == Policy.OVERWRITE || (policy == Policy.MERGE && type == DataType.STRING);
        boolean fill = policy == Policy.FILL;
        if (policy == Policy.SKIP || (fill && (type == DataType.STRING || type == DataType.LIST))
                || (!exact && type == DataType.STREAM)) {
            return null; // only existence is required, and the caller checked it
        }
        return switch (type) {
            case HASH -> pages(type, policy, sourceKey, targetKey, exact);
            case SET -> pages(type, policy, sourceKey, targetKey, exact);
            case ZSET -> pages(type, policy, sourceKey, targetKey, exact);
            case LIST -> list(sourceKey, targetKey, exact);
            case STRING -> string(sourceKey, targetKey);
            case STREAM -> stream(sourceKey, targetKey);
        };
    }

    /** Hashes, sets and sorted sets: each source page must be in the target, then the sizes agree. */
    private String pages(DataType type, Policy policy, byte[] sourceKey, byte[] targetKey, boolean exact) {
        Pipe pipe = source.pipe();
        byte[] scan = type == DataType.HASH ? Cmd.HSCAN : type == DataType.SET ? Cmd.SSCAN : Cmd.ZSCAN;
        byte[] cursor = Cmd.ZERO;
        long seen = 0;
        ChunkSize chunk = new ChunkSize(CHUNK);
        do {
            List<Object> reply = Resp.array(Resp.call(pipe, scan, sourceKey, cursor, Cmd.COUNT, chunk.arg()),
                    pipe.label(), sourceKey);
            cursor = Resp.bytes(reply.get(0), pipe.label(), sourceKey);
            Object values = reply.get(1);
            chunk.sawPage(scan, Resp.array(values, pipe.label(), sourceKey));
            Expectation e = new Expectation(type);
            e.apply(policy, new SourceValue(type, -1, SourceValue.canonical(type, values)));
            e.shape = Expectation.Shape.CONTAINS; // a page is part of the key; sizes are compared at the end
            seen += type == DataType.HASH ? e.fields.size() : type == DataType.SET ? e.members.size() : e.scores.size();
            TargetCheck check = new TargetCheck(target, targetCommands);
            check.add(targetKey, e);
            String difference = check.run().get(0);
            if (difference != null) {
                return difference;
            }
        } while (!Resp.finished(cursor));
        if (!exact) {
            return null;
        }
        long size = target.call(switch (type) {
            case HASH -> target.async().hlen(targetKey);
            case SET -> target.async().scard(targetKey);
            default -> target.async().zcard(targetKey);
        });
        return TargetCheck.sizeDifference(size, (int) seen, type == DataType.HASH ? "fields" : "members");
    }

    /** Lists: element by element, from the start (exact) or against the target's tail (Merge appended). */
    private String list(byte[] sourceKey, byte[] targetKey, boolean exact) {
        long sourceLength = source.call(source.async().llen(sourceKey));
        long targetLength = target.call(target.async().llen(targetKey));
        if (exact && sourceLength != targetLength) {
            return "length differs: expected " + sourceLength + ", target " + targetLength;
        }
        if (targetLength < sourceLength) {
            return "target has " + targetLength + " elements, fewer than the " + sourceLength + " it must end with";
        }
        long offset = targetLength - sourceLength;
        ChunkSize chunk = new ChunkSize(CHUNK);
        for (long i = 0; i < sourceLength; ) {
            List<byte[]> want = source.call(source.async().lrange(sourceKey, i, i + chunk.count() - 1));
            if (want.isEmpty()) {
                return "changed while checked (the source list ended at element " + i + " of " + sourceLength + ")";
            }
            chunk.saw(want, 1);
            List<byte[]> got = target.call(target.async().lrange(targetKey, offset + i, offset + i + want.size() - 1));
            for (int j = 0; j < want.size(); j++) {
                if (j >= got.size() || !ByteBuffer.wrap(want.get(j)).equals(ByteBuffer.wrap(got.get(j)))) {
                    return "element " + (offset + i + j) + " differs";
                }
            }
            i += want.size();
        }
        return null;
    }

    private String string(byte[] sourceKey, byte[] targetKey) {
        long length = source.call(source.async().strlen(sourceKey));
        long targetLength = target.call(target.async().strlen(targetKey));
        if (length != targetLength) {
            return "length differs: expected " + length + " bytes, target " + targetLength;
        }
        for (long at = 0; at < length; at += STRING_CHUNK) {
            byte[] want = source.call(source.async().getrange(sourceKey, at, at + STRING_CHUNK - 1));
            byte[] got = target.call(target.async().getrange(targetKey, at, at + STRING_CHUNK - 1));
            int diff = ByteBuffer.wrap(want).mismatch(ByteBuffer.wrap(got));
            if (diff >= 0) {
                return "differs at byte " + (at + diff);
            }
        }
        return null;
    }

    private String stream(byte[] sourceKey, byte[] targetKey) {
        long length = source.call(source.async().xlen(sourceKey));
        long targetLength = target.call(target.async().xlen(targetKey));
        if (length != targetLength) {
            return "length differs: expected " + length + " entries, target " + targetLength;
        }
        String from = "-";
        ChunkSize chunk = new ChunkSize(CHUNK);
        while (true) {
            int count = chunk.count();
            List<StreamMessage<byte[], byte[]>> want = source.call(source.async().xrange(sourceKey, Range.create(from, "+"), Limit.from(count)));
            List<StreamMessage<byte[], byte[]>> got = target.call(target.async().xrange(targetKey, Range.create(from, "+"), Limit.from(count)));
            chunk.saw(want.stream().mapToLong(m -> Payload.of(m.getBody())).sum(), want.size());
            for (int i = 0; i < want.size(); i++) {
                if (i >= got.size() || !want.get(i).getId().equals(got.get(i).getId())) {
                    return "entry " + want.get(i).getId() + " missing or out of place";
                }
                if (!TargetCheck.sameBody(want.get(i).getBody(), got.get(i).getBody())) {
                    return "entry " + want.get(i).getId() + " differs";
                }
            }
            if (want.size() < count) {
                break;
            }
            from = nextId(want.get(want.size() - 1).getId());
        }
        java.util.Map<String, String> groups = StreamInfo.groups(source, sourceCommands.consumerGroups(), sourceKey);
        java.util.Map<String, String> targetGroups = StreamInfo.groups(target, targetCommands.consumerGroups(), targetKey);
        return groups.equals(targetGroups) ? null : "consumer groups differ: expected " + groups + ", target " + targetGroups;
    }

    private static String nextId(String id) {
        int dash = id.indexOf('-');
        return id.substring(0, dash + 1) + (Long.parseUnsignedLong(id.substring(dash + 1)) + 1);
    }
}
