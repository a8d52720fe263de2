package io.keyferry.engine.checkpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import io.keyferry.engine.copy.Counters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A source's counts in its checkpoint as the readable map {"hash.merged": 10, ..., "bytes": 123}, written
 * straight from the counts: the checkpoint is saved after every batch, and a map built each time cost more
 * than the counting.
 */
final class CountersCodec {
    private CountersCodec() {}

    static final class Writer extends JsonSerializer<Counters> {
        @Override
        public void serialize(Counters counters, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            try {
                counters.forEach((name, n) -> {
                    try {
                        out.writeNumberField(name, n);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            out.writeEndObject();
        }
    }

    static final class Reader extends JsonDeserializer<Counters> {
        @Override
        public Counters deserialize(JsonParser in, DeserializationContext ctxt) throws IOException {
            Map<String, Long> m = ctxt.readValue(in, ctxt.getTypeFactory().constructType(new TypeReference<Map<String, Long>>() {}));
            return Counters.fromMap(m);
        }

        @Override
        public Counters getNullValue(DeserializationContext ctxt) {
            return new Counters();
        }
    }
}
