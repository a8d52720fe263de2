package io.keyferry.engine.redis;

import io.keyferry.api.EndpointSpec;
import io.keyferry.api.EndpointUri;
import io.keyferry.api.TlsSpec;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.protocol.ProtocolVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;

/**
 * Opens connections to the endpoints of a manifest, resolving credentials through secret references.
 * All its connections share one set of I/O threads, released by {@link #close()}.
 */
public final class Endpoints implements AutoCloseable {

    private final SecretResolver secrets;
    private final Tls tls;
    /** Lettuce's I/O threads, created on the first Lettuce connection (a standalone copy may need none). */
    private ClientResources resources;
    private final boolean ownResources;
    private boolean countCommands;

    public Endpoints(SecretResolver secrets) {
        this.secrets = secrets;
        this.tls = new Tls(secrets);
        this.ownResources = true;
    }

    /** Connections on I/O threads the caller owns and keeps (a long-running operator). */
    public Endpoints(SecretResolver secrets, ClientResources shared) {
        this.secrets = secrets;
        this.tls = new Tls(secrets);
        this.resources = shared;
        this.ownResources = false;
    }

    /** Pipeline bounds of the stores that need one, by URI: {commands, bytes}. */
    private final java.util.Map<String, long[]> pipelineBounds = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Every bare connection to the endpoint, {@code link}'s and those opened from now on, reads its replies
     * before it has more than {@code commands} commands or {@code bytes} bytes unanswered ({@link RespConnection#bound}).
     */
    public void boundPipelines(EndpointSpec spec, RedisLink link, int commands, long bytes) {
        if (commands <= 0 && bytes <= 0) {
            return;
        }
        pipelineBounds.put(spec.getUri().strip(), new long[] {commands, bytes});
        if (link.pipe() instanceof RespConnection raw) {
            raw.bound(commands, bytes);
        }
    }

    /** Counts the commands of the connections opened from now on ({@link RedisLink#commandsSent()}). */
    public Endpoints countingCommands() {
        this.countCommands = true;
        return this;
    }

    @Override
    public synchronized void close() {
        if (ownResources && resources != null) {
            resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private synchronized ClientResources resources() {
        if (resources == null) {
            resources = DefaultClientResources.create();
        }
        return resources;
    }

    /** Counts a client's commands into {@code sent} (when not null); before it connects, as Lettuce takes its listeners then. */
    private static void count(AbstractRedisClient client, java.util.concurrent.atomic.LongAdder sent) {
        if (sent == null) {
            return;
        }
        client.addListener(new io.lettuce.core.event.command.CommandListener() {
            @Override
            public void commandStarted(io.lettuce.core.event.command.CommandStartedEvent event) {
                sent.increment();
            }
        });
    }

    /**
     * @param spec the endpoint from the manifest
     * @param fieldPath where it stands in the manifest (spec.sources[0].endpoint)
     * @param role how reports name it ("source pika-0", "target")
     */
    public RedisLink connect(EndpointSpec spec, String fieldPath, String role) {
        EndpointUri uri = EndpointUri.parse(spec.getUri());
        String label = role + " (" + spec.getUri().strip() + ")";
        java.util.concurrent.atomic.LongAdder sent = countCommands ? new java.util.concurrent.atomic.LongAdder() : null;
        if (!spec.clusterEnabled()) {
            RespConnection pipe;
            try {
                pipe = openResp(spec, fieldPath, label, uri.host(), uri.port(), sent);
            } catch (Unreachable e) {
                throw refused(label, fieldPath, e, e.reason);
            }
            RedisLink link = new RedisLink(label, pipe, () -> {
                RedisClient standalone = RedisClient.create(resources(), redisUri(spec, uri, fieldPath));
                standalone.setOptions(clientOptions(spec.getTls(), uri, fieldPath));
                count(standalone, sent);
                try {
                    return new RedisLink.Standalone(standalone, standalone.connect(ByteArrayCodec.INSTANCE));
                } catch (RedisConnectionException e) {
                    standalone.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                    throw refused(label, fieldPath, e, rootMessage(e));
                }
            });
            link.sent = sent;
            return link;
        }
        RedisClusterClient cluster = RedisClusterClient.create(resources(), redisUri(spec, uri, fieldPath));
        // Nodes may announce addresses other than the seed's (pods, NAT): do not drop them.
        // Node connections are opened on first use and must be allowed to (re)connect.
        cluster.setOptions(ClusterClientOptions.builder(clientOptions(spec.getTls(), uri, fieldPath))
                .validateClusterNodeMembership(false).autoReconnect(true).build());
        count(cluster, sent);
        StatefulRedisClusterConnection<byte[], byte[]> connection;
        try {
            connection = cluster.connect(ByteArrayCodec.INSTANCE);
        } catch (RedisConnectionException e) {
            cluster.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw refused(label, fieldPath, e, rootMessage(e));
        }
        boolean replicas = spec.getReadFrom() == io.keyferry.api.ReadFrom.REPLICA;
        if (replicas) {
            // Keyed reads go to a replica of the key's master; SCAN goes to one replica per master.
            connection.setReadFrom(io.lettuce.core.ReadFrom.REPLICA);
        }
        RedisLink link = new RedisLink(label, cluster, connection);
        link.sent = sent;
        link.replicas = replicas;
        link.fieldPath = fieldPath;
        // Bare connections to the node that serves each slot's reads: its master, or a replica of it in READONLY mode
        // (a write sent there is answered MOVED and follows to the master, and so do the slot's later commands).
        link.pipes = () -> new ClusterPipe(label, link.slotReaders(), (host, port) -> {
            RespConnection node = openResp(spec, fieldPath, label + " node " + host + ":" + port, host, port, sent);
            if (!replicas) {
                return node;
            }
            Object readOnly = node.call("READONLY");
            if (readOnly instanceof Resp.Error e && e.message().startsWith("NOPERM")) {
                node.close();
                throw new io.keyferry.engine.MigrationInputException(fieldPath + ".readFrom is Replica but " + label
                        + " refused READONLY on the replica " + host + ":" + port + " (" + e.message() + "); add +readonly"
                        + " to the user's ACL rules, or read from the masters (Primary)");
            }
            expectOk(node, readOnly, "READONLY");
            return node;
        });
        return link;
    }

    /** Why an endpoint could not be used, in the user's terms: its certificate, or its address and login. */
    private static MigrationInputException refused(String label, String fieldPath, Throwable e, String reason) {
        if (causedBy(e, javax.net.ssl.SSLException.class) || causedBy(e, java.security.cert.CertificateException.class)) {
            return new MigrationInputException(label + " at " + fieldPath + ": the TLS handshake failed: " + Tls.certificateProblem(e) + reason
                    + "; check tls.caSecretRef (the CA that signed the server's certificate) and tls.serverName"
                    + " (the name the certificate is for, when it is not the URI's host)", e);
        }
        return new MigrationInputException(label + " at " + fieldPath + ".uri is unreachable or refused the login: "
                + reason + "; check the address, that the server is up, and the credentials", e);
    }

    private RedisURI redisUri(EndpointSpec spec, EndpointUri uri, String fieldPath) {
        RedisURI.Builder b = RedisURI.builder().withHost(uri.host()).withPort(uri.port()).withDatabase(uri.db())
                .withSsl(uri.tls()).withTimeout(Timeouts.reply());
        if (uri.tls()) {
            boolean skip = spec.getTls() != null && spec.getTls().skipVerify();
            b.withVerifyPeer(skip ? SslVerifyMode.NONE : SslVerifyMode.FULL);
        }
        Credentials login = credentials(spec, fieldPath);
        if (login.username() != null) {
            b.withAuthentication(login.username(), login.password());
        } else if (login.password() != null) {
            b.withPassword(login.password().toCharArray());
        }
        return b.build();
    }

    private record Credentials(String username, String password) {}

    private Credentials credentials(EndpointSpec spec, String fieldPath) {
        String password = spec.getPasswordSecretRef() == null ? null
                : secrets.resolve(spec.getPasswordSecretRef(), fieldPath + ".passwordSecretRef");
        String username = spec.getUsernameSecretRef() == null ? null
                : secrets.resolve(spec.getUsernameSecretRef(), fieldPath + ".usernameSecretRef");
        if (username != null && password == null) {
            throw new MigrationInputException(fieldPath + ".usernameSecretRef: a user name needs a password; "
                    + "add passwordSecretRef");
        }
        return new Credentials(username, password);
    }

    /**
     * A bare RESP connection to the endpoint, logged in and on its database, with the same TLS checks
     * as {@link #connect}: for streaming values too big to hold (see {@link RespConnection}).
     */
    public RespConnection openRaw(EndpointSpec spec, String fieldPath, String role) {
        EndpointUri uri = EndpointUri.parse(spec.getUri());
        return openRaw(spec, fieldPath, role, uri.host(), uri.port());
    }

    /** The same, to one node of a cluster (the one that holds the value's slot). */
    public RespConnection openRaw(EndpointSpec spec, String fieldPath, String role, String host, int port) {
        return openResp(spec, fieldPath, role + " (" + spec.getUri().strip() + ", node " + host + ":" + port + ")",
                host, port, null);
    }

    private RespConnection openResp(EndpointSpec spec, String fieldPath, String label, String host, int port,
                                    java.util.concurrent.atomic.LongAdder sent) {
        EndpointUri uri = new EndpointUri(EndpointUri.parse(spec.getUri()).tls(), host, port,
                EndpointUri.parse(spec.getUri()).db());
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(uri.host(), uri.port()), (int) Timeouts.connect().toMillis());
            // As long as RedisLink waits for replies.
            socket.setSoTimeout((int) Timeouts.reply().toMillis());
            socket.setKeepAlive(true);
            socket.setTcpNoDelay(true);
            if (uri.tls()) {
                socket = tls.socket(socket, spec.getTls(), uri, fieldPath);
            }
            RespConnection raw = new RespConnection(label, socket, sent);
            long[] bound = pipelineBounds.get(spec.getUri().strip());
            if (bound != null) {
                raw.bound((int) bound[0], bound[1]);
            }
            Credentials login = credentials(spec, fieldPath);
            if (login.username() != null) {
                expectOk(raw, raw.call("AUTH", login.username(), login.password()), "AUTH");
            } else if (login.password() != null) {
                expectOk(raw, raw.call("AUTH", login.password()), "AUTH");
            }
            if (uri.db() != 0) {
                expectOk(raw, raw.call("SELECT", Integer.toString(uri.db())), "SELECT");
            }
            return raw;
        } catch (IOException | GeneralSecurityException e) {
            throw new Unreachable(label, rootMessage(e), e);
        }
    }

    /** A connection that could not be opened or was refused at login; {@code reason} without the endpoint's name. */
    private static final class Unreachable extends IllegalStateException {
        final String reason;

        Unreachable(String label, String reason, Throwable cause) {
            super(label + ": cannot open a connection: " + reason, cause);
            this.reason = reason;
        }
    }

    private static void expectOk(RespConnection raw, Object reply, String command) {
        if (!Resp.ok(reply)) {
            raw.close();
            throw new Unreachable(raw.label(), command + " answered " + reply, null);
        }
    }

    private ClientOptions clientOptions(TlsSpec tls, EndpointUri uri, String fieldPath) {
        ClientOptions.Builder b = ClientOptions.builder()
                // RESP2: Pika and older Kvrocks do not speak HELLO/RESP3.
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(false)
                .socketOptions(SocketOptions.builder().connectTimeout(Timeouts.connect()).keepAlive(true).build())
                // No timer per command (measurable at a million commands a minute): RedisLink's waits time out instead.
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build());
        if (uri.tls() && tls != null) {
            b.sslOptions(this.tls.sslOptions(tls, fieldPath));
        }
        return b.build();
    }

    /** Whether {@code t} or one of its causes is a {@code type}. */
    public static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        return cause(t, type) != null;
    }

    /** The first of {@code t} and its causes that is a {@code type}, or null. */
    public static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
