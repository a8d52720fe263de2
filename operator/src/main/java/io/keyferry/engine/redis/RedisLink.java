package io.keyferry.engine.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One binary-safe connection to one endpoint, used by one thread at a time. Commands are queued
 * until {@link #flush()}, so a batch of commands travels as one pipeline.
 */
public final class RedisLink implements AutoCloseable {
    private static final Duration AWAIT = Duration.ofMinutes(2);

    private final String label;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    RedisLink(String label, RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
        this.label = label;
        this.client = client;
        this.connection = connection;
        connection.setAutoFlushCommands(false);
    }

    /** The endpoint as the user named it ("source pika-0 (redis://host:port/0)"), never with secrets. */
    public String label() { return label; }

    /** Commands are queued; nothing is sent before {@link #flush()}. */
    public RedisAsyncCommands<byte[], byte[]> async() { return connection.async(); }

    public void flush() { connection.flushCommands(); }

    /** Sends the queued commands and waits for all their replies. */
    public void sync(List<? extends Future<?>> futures) {
        flush();
        if (!LettuceFutures.awaitAll(AWAIT, futures.toArray(new Future<?>[0]))) {
            throw new IllegalStateException(label + ": no reply within " + AWAIT.toSeconds() + " s");
        }
    }

    /** Sends one command and returns its reply, rethrowing a server error as is. */
    public <T> T call(RedisFuture<T> future) {
        flush();
        return await(future);
    }

    /** The reply of an already flushed command; a server error is thrown as its cause. */
    public static <T> T await(Future<T> future) {
        try {
            return future.isDone() ? future.get() : future.get(AWAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no reply within " + AWAIT.toSeconds() + " s", e);
        }
    }

    /** One list of the futures of several pipelines, to wait for them together. */
    @SafeVarargs
    public static List<RedisFuture<?>> concat(List<? extends RedisFuture<?>>... lists) {
        List<RedisFuture<?>> all = new java.util.ArrayList<>();
        for (List<? extends RedisFuture<?>> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
