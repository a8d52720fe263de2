package io.keyferry.engine.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * A {@link Pipe} over a Lettuce link, for a Redis Cluster: each command goes to the node of its key's slot
 * (to a replica for reads under readFrom: Replica), following MOVED and ASK, which a bare connection
 * to one node cannot. Slower per command than {@link RespConnection}, with the same replies.
 */
final class LinkPipe implements Pipe {
    private static final Map<String, ProtocolKeyword> KEYWORDS = new ConcurrentHashMap<>();

    private final RedisLink link;
    private final List<RedisFuture<Object>> futures = new ArrayList<>();
    private ReplyFilter filter;

    LinkPipe(RedisLink link) {
        this.link = link;
    }

    @Override
    public String label() {
        return link.label();
    }

    @Override
    public int send(byte[]... args) {
        CommandArgs<byte[], byte[]> a = new CommandArgs<>(ByteArrayCodec.INSTANCE);
        byte[] key = Cmd.key(args);
        for (int i = 1; i < args.length; i++) {
            if (args[i] == key) { // Lettuce's cluster routing goes by the first argument added as a key
                a.addKey(args[i]);
            } else {
                a.add(args[i]);
            }
        }
        futures.add(link.async().dispatch(keyword(args[0]), new AnyOutput(), a));
        return futures.size() - 1;
    }

    /** Lettuce's own command types where they exist: its cluster routing sends only those to replicas. */
    private static ProtocolKeyword keyword(byte[] name) {
        return KEYWORDS.computeIfAbsent(new String(name, StandardCharsets.US_ASCII), n -> {
            try {
                return CommandType.valueOf(n);
            } catch (IllegalArgumentException notKnown) {
                byte[] bytes = n.getBytes(StandardCharsets.US_ASCII);
                return new ProtocolKeyword() {
                    @Override
                    public byte[] getBytes() { return bytes; }

                    @Override
                    public String toString() { return n; }
                };
            }
        });
    }

    @Override
    public void flush() {
        link.flush();
    }

    /**
     * Applied as each future is taken: Lettuce holds every reply of the batch until then, so through this pipe (reads
     * from a cluster's replicas) a batch's memory is not bounded by it.
     */
    @Override
    public void filtering(ReplyFilter filter) {
        this.filter = filter;
    }

    @Override
    public List<Object> sync() {
        ReplyFilter keep = filter;
        filter = null;
        link.sync(futures);
        List<Object> replies = new ArrayList<>(futures.size());
        for (RedisFuture<Object> f : futures) {
            Object reply;
            try {
                reply = f.get();
            } catch (ExecutionException e) {
                reply = new Resp.Error(String.valueOf(e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (keep == null) {
                replies.add(reply);
            } else {
                Digest.Shape shape = keep.digesting(replies.size());
                replies.add(keep.keep(replies.size(), shape == null ? reply : Digest.of(reply, shape)));
            }
        }
        futures.clear();
        return replies;
    }

    /** Any reply, in the shapes of {@link Pipe}. */
    static final class AnyOutput extends CommandOutput<byte[], byte[], Object> {
        private final Deque<List<Object>> open = new ArrayDeque<>();

        AnyOutput() {
            super(ByteArrayCodec.INSTANCE, null);
        }

        private void add(Object value) {
            if (open.isEmpty()) {
                output = value;
            } else {
                open.peek().add(value);
            }
        }

        @Override
        public void set(ByteBuffer bytes) {
            if (bytes == null) {
                add(null);
                return;
            }
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            add(b);
        }

        @Override
        public void setSingle(ByteBuffer bytes) {
            set(bytes);
        }

        @Override
        public void set(long integer) {
            add(integer);
        }

        @Override
        public void multi(int count) {
            List<Object> items = new ArrayList<>(Math.max(count, 0));
            add(items);
            open.push(items);
        }

        @Override
        public void complete(int depth) {
            while (open.size() > depth) {
                open.pop();
            }
        }
    }
}
