package io.keyferry.testing.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/** GETs a /metrics endpoint every {@code period} on a thread of its own, as Prometheus would, and keeps every scrape. */
public final class Scrapes implements AutoCloseable {
    public record Scrape(Instant at, List<PromText.Sample> samples) {}

    private final URI uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Scrape> scrapes = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public Scrapes(URI uri, Duration period) {
        this.uri = uri;
        this.thread = new Thread(() -> {
            while (running) {
                try {
                    scrapeNow();
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scrapes");
        thread.setDaemon(true);
        thread.start();
    }

    /** One scrape now, kept with the others and returned. */
    public Scrape scrapeNow() {
        try {
            String text = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            Scrape s = new Scrape(Instant.now(), PromText.parse(text));
            scrapes.add(s);
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<Scrape> all() {
        return List.copyOf(scrapes);
    }

    /** Every metric name any scrape had, with every label name it carried in any of them. */
    public Map<String, Set<String>> seen() {
        Map<String, Set<String>> seen = new TreeMap<>();
        for (Scrape s : scrapes) {
            for (PromText.Sample x : s.samples()) {
                seen.computeIfAbsent(x.name(), k -> new TreeSet<>()).addAll(x.labels().keySet());
            }
        }
        return seen;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
