package io.keyferry.reconciler;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/**
 * One migration's series in a Micrometer registry. The values derived from its status are replaced as a whole
 * ({@link #replace}): a series the new values do not name is removed, so a source, a flag or an ETA that is gone
 * leaves no stale series behind. Counts of events ({@link #increment}) accumulate. {@link #clear} removes them all.
 */
final class MeterSet {
    enum Kind { GAUGE, COUNTER }

    /** A series: what kind, its Micrometer name (dots; the Prometheus registry writes underscores) and its tags. */
    record Key(Kind kind, String name, Tags tags) {}

    private static final class Holder {
        volatile double value;
        Meter meter;
    }

    private final MeterRegistry registry;
    private final Function<String, String> help;
    private final Map<Key, Holder> derived = new HashMap<>();
    private final Map<Key, Holder> counted = new HashMap<>();

    /** @param help the description of a series, by name */
    MeterSet(MeterRegistry registry, Function<String, String> help) {
        this.registry = registry;
        this.help = help;
    }

    /** Sets exactly these series to these values, removing the derived series they leave out. */
    synchronized void replace(Map<Key, Double> values) {
        for (Iterator<Map.Entry<Key, Holder>> it = derived.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Holder> e = it.next();
            if (!values.containsKey(e.getKey())) {
                registry.remove(e.getValue().meter);
                it.remove();
            }
        }
        values.forEach((key, value) -> derived.computeIfAbsent(key, this::register).value = value);
    }

    /** Adds to a counter of this set, creating it at zero first (so adding 0 makes it appear). */
    synchronized void increment(String name, Tags tags, int by) {
        counted.computeIfAbsent(new Key(Kind.COUNTER, name, tags), this::register).value += by;
    }

    synchronized void clear() {
        replace(Map.of());
        counted.values().forEach(h -> registry.remove(h.meter));
        counted.clear();
    }

    private Holder register(Key key) {
        Holder h = new Holder();
        String description = help.apply(key.name());
        h.meter = key.kind() == Kind.GAUGE
                ? Gauge.builder(key.name(), h, x -> x.value).tags(key.tags()).description(description).register(registry)
                : FunctionCounter.builder(key.name(), h, x -> x.value).tags(key.tags()).description(description).register(registry);
        return h;
    }
}
