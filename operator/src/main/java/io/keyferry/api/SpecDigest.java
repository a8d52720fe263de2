package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A SHA-256 of parts of a spec: names a version of them (what a copy writes where, a checkpoint's copy, a worker
 * attempt). Canonical, so that an operator upgrade that adds a spec field changes no digest of a migration in flight:
 * nulls and values equal to the model's own defaults (a default-constructed object's) are left out, and properties
 * and map keys are sorted. {@link #legacy} is how the version before this one digested, accepted where a migration
 * started by it is recognised.
 */
public final class SpecDigest {
    /** The spec's own classes: each is compared with its default-constructed self. */
    private static final List<Class<?>> MODEL = List.of(DataMigrationSpec.class, SourceSpec.class, TargetSpec.class,
            EndpointSpec.class, TlsSpec.class, SecretKeyRef.class, KeySelector.class, PolicySpec.class, VerifySpec.class,
            WorkerSpec.class, RateLimitSpec.class, CutoverSpec.class, FlagSpec.class);
    private static final ObjectMapper CANONICAL = canonicalMapper();
    private static final ObjectMapper LEGACY = new ObjectMapper();

    private SpecDigest() {}

    /** The digest of {@code parts} (a map of spec parts) as lower-case hex. */
    public static String of(Object parts) {
        return digest(CANONICAL, parts);
    }

    /** The digest as the version before the canonical one made it (nulls and defaults included, fields in order). */
    public static String legacy(Object parts) {
        return digest(LEGACY, parts);
    }

    private static String digest(ObjectMapper json, Object parts) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(parts)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectMapper canonicalMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .serializationInclusion(JsonInclude.Include.NON_EMPTY)
                .build();
        JsonInclude.Value nonDefault = JsonInclude.Value.construct(JsonInclude.Include.NON_DEFAULT, JsonInclude.Include.NON_EMPTY);
        MODEL.forEach(c -> mapper.configOverride(c).setInclude(nonDefault));
        mapper.addMixIn(WorkerSpec.class, FormerDefaults.class);
        return mapper;
    }

    /**
     * Defaults changed since: a value equal to a former default is left out as the default is. The API server stored
     * the default of its CRD in every DataMigration created under it (batchSize 500 before 2026-12-07), and an
     * operator that counted it now would start new workers for every migration in flight.
     */
    private abstract static class FormerDefaults {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = BatchSizeDefault.class)
        abstract Integer getBatchSize();
    }

    /** Jackson leaves a value out where this equals it: the default batch size, now or before. */
    @SuppressWarnings("EqualsHashCode")
    static final class BatchSizeDefault {
        @Override
        public boolean equals(Object value) {
            return value == null || value.equals(500) || value.equals(new WorkerSpec().getBatchSize());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
