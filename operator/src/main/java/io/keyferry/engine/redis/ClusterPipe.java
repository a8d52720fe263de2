package io.keyferry.engine.redis;

import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Pipe} to a Redis Cluster over bare RESP connections, one per node, each opened on first use: a
 * command goes to the node that holds its key's slot; one answered MOVED (the slot moved) or ASK (it is moving
 * and the key is on the other side already) is sent again where the reply says, in the order the batch sent
 * them, and the batch's replies come back only when every one is an answer. Lettuce did the same with a command
 * object, a future and an event-loop hand-off for every command: ten times the client CPU a key (mixed-1m into a
 * 3-master cluster on 2 cores: 27 s against 8 s for a standalone target).
 */
final class ClusterPipe implements Pipe, AutoCloseable {
    /** Redirections followed for one command before its MOVED or ASK is handed back as its reply. */
    private static final int REDIRECTIONS = 5;
    private static final byte[] ASKING = Resp.ascii("ASKING");

    /** Opens a bare connection to a node, logged in as the cluster's endpoint says. */
    interface Opener {
        RespConnection open(String host, int port);
    }

    private final String label;
    private final Opener opener;
    private final List<String> nodes = new ArrayList<>();
    private final List<RespConnection> connections = new ArrayList<>();
    private final Map<String, Integer> nodeIndex = new HashMap<>();
    /** The node of each slot, as the topology said and MOVED replies corrected. */
    private final int[] nodeOfSlot = new int[SlotHash.SLOT_COUNT];
    /** The commands since the last sync, for sending again where a reply redirects them. */
    private final List<Sent> sent = new ArrayList<>();

    private record Sent(byte[][] args, int node, int at) {}

    /** What is kept of the replies until the next sync ({@link #filtering}); null: every reply whole. */
    private ReplyFilter filter;

    /** @param slotOwners "host:port" of the node that holds each slot */
    ClusterPipe(String label, String[] slotOwners, Opener opener) {
        this.label = label;
        this.opener = opener;
        for (int slot = 0; slot < slotOwners.length; slot++) {
            nodeOfSlot[slot] = slotOwners[slot] == null ? 0 : node(slotOwners[slot]);
        }
        if (nodes.isEmpty()) {
            throw new IllegalStateException(label + ": the cluster's topology names no master");
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public int send(byte[]... args) {
        byte[] key = Cmd.key(args);
        int node = key != null ? nodeOfSlot[SlotHash.getSlot(key)] : 0;
        sent.add(new Sent(args, node, connection(node).send(args)));
        return sent.size() - 1;
    }

    @Override
    public void flush() {
        for (RespConnection c : connections) {
            if (c != null) {
                c.flush();
            }
        }
    }

    /** Each node answers its share at once: after the first nap the others' are mostly over. */
    @Override
    public void awaitReplies() {
        flush();
        for (RespConnection c : connections) {
            if (c != null) {
                c.awaitReplies();
            }
        }
    }

    /** Applied on each node's connection as its replies are read; a MOVED or ASK passes, its answer is filtered. */
    @Override
    public void filtering(ReplyFilter filter) {
        this.filter = filter;
    }

    @Override
    public List<Object> sync() {
        try {
            List<Object> replies = collect(sent, null);
            for (int round = 0; round < REDIRECTIONS; round++) {
                List<Integer> redirected = new ArrayList<>();
                List<Sent> again = new ArrayList<>();
                for (int i = 0; i < replies.size(); i++) {
                    String[] words = replies.get(i) instanceof Resp.Error e ? redirection(e) : null;
                    if (words != null) {
                        redirected.add(i);
                        again.add(resend(sent.get(i).args(), words));
                    }
                }
                if (again.isEmpty()) {
                    return replies;
                }
                List<Object> answers = collect(again, redirected);
                for (int j = 0; j < redirected.size(); j++) {
                    replies.set(redirected.get(j), answers.get(j));
                    sent.set(redirected.get(j), again.get(j));
                }
            }
            return replies;
        } finally {
            sent.clear();
            filter = null;
        }
    }

    /**
     * Every node's replies since its last sync, then the replies of {@code commands} in their order.
     *
     * @param indices each command's index in the batch, for the filter; null where it is its place in {@code commands}
     */
    private List<Object> collect(List<Sent> commands, List<Integer> indices) {
        flush();
        List<List<Object>> byNode = new ArrayList<>(connections.size());
        for (int node = 0; node < connections.size(); node++) {
            RespConnection c = connections.get(node);
            if (c != null && filter != null) {
                c.filtering(nodeFilter(node, commands, indices));
            }
            byNode.add(c == null ? List.of() : c.sync());
        }
        List<Object> replies = new ArrayList<>(commands.size());
        for (Sent s : commands) {
            replies.add(byNode.get(s.node()).get(s.at()));
        }
        return replies;
    }

    /** The batch's filter on one node's replies: a reply there is the command's that was sent there at that place. */
    private ReplyFilter nodeFilter(int node, List<Sent> commands, List<Integer> indices) {
        Map<Integer, Integer> commandAt = new HashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).node() == node) {
                commandAt.put(commands.get(i).at(), indices == null ? i : indices.get(i));
            }
        }
        ReplyFilter batch = filter;
        return new ReplyFilter() {
            @Override
            public Object keep(int at, Object reply) {
                Integer command = commandAt.get(at); // null: an ASKING's +OK
                boolean redirected = reply instanceof Resp.Error e && redirection(e) != null;
                return command == null || redirected ? reply : batch.keep(command, reply);
            }

            @Override
            public long budget() {
                return batch.budget();
            }

            @Override
            public Digest.Shape digesting(int at) {
                Integer command = commandAt.get(at); // a redirection's error is read as it is, whatever the shape
                return command == null ? null : batch.digesting(command);
            }
        };
    }

    /** "MOVED slot host:port" or "ASK slot host:port": the words of a redirection, or null for another error. */
    private static String[] redirection(Resp.Error e) {
        String m = e.message();
        if (!m.startsWith("MOVED ") && !m.startsWith("ASK ")) {
            return null;
        }
        String[] words = m.split(" ");
        return words.length == 3 && words[2].lastIndexOf(':') > 0 ? words : null;
    }

    /** Queues a redirected command at the node its reply names (after ASKING there, for ASK). */
    private Sent resend(byte[][] args, String[] words) {
        int node = node(words[2]);
        if (words[0].equals("MOVED")) {
            nodeOfSlot[Integer.parseInt(words[1])] = node;
        } else {
            connection(node).send(ASKING); // its +OK is another reply of that node's, never looked at
        }
        return new Sent(args, node, connection(node).send(args));
    }

    private int node(String hostPort) {
        return nodeIndex.computeIfAbsent(hostPort, hp -> {
            nodes.add(hp);
            connections.add(null);
            return nodes.size() - 1;
        });
    }

    private RespConnection connection(int node) {
        RespConnection c = connections.get(node);
        if (c == null) {
            String hostPort = nodes.get(node);
            int colon = hostPort.lastIndexOf(':');
            c = opener.open(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            connections.set(node, c);
        }
        return c;
    }

    @Override
    public void close() {
        for (RespConnection c : connections) {
            if (c != null) {
                c.close();
            }
        }
    }
}
