package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Binds the manifests most runs are given without Jackson's data binding, whose first use costs a command about 0.3
 * CPU-seconds of introspection (a tenth of what a million-key verification costs): the fields of the spec's own
 * classes as their setters and {@code @JsonProperty} name them, enums by their manifest names, lists and maps of
 * them, and metadata's name, namespace, labels and annotations; a value of a Kubernetes type (worker.resources) Jackson
 * binds alone. Anything else gives up (a problem to report, a null in a list, a number where Jackson would convert
 * it), and {@link ManifestLoader} has Jackson bind the whole manifest as before: so every problem is reported as it
 * always was, and every manifest bound here is bound as Jackson binds it (QuickBindingTest compares the two).
 */
final class QuickBinding {
    /** Per class of the spec: its setters by manifest name. */
    private static final Map<Class<?>, Map<String, Method>> SETTERS = new ConcurrentHashMap<>();
    private static final List<String> TOP_LEVEL = List.of("apiVersion", "kind", "metadata", "spec");
    private static final List<String> METADATA = List.of("name", "namespace", "labels", "annotations");

    private QuickBinding() {}

    /** Why binding here stopped: Jackson binds the manifest instead. */
    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    /** The manifest bound, or null where Jackson must bind it. */
    static DataMigration manifest(JsonNode manifest) {
        try {
            DataMigration dm = new DataMigration();
            fields(manifest, TOP_LEVEL, (name, value) -> {
                switch (name) {
                    case "apiVersion" -> dm.setApiVersion(text(value));
                    case "kind" -> dm.setKind(text(value));
                    case "metadata" -> dm.setMetadata(metadata(value));
                    default -> dm.setSpec((DataMigrationSpec) value(value, DataMigrationSpec.class));
                }
            });
            return dm;
        } catch (GiveUp e) {
            return null;
        }
    }

    private static ObjectMeta metadata(JsonNode node) {
        ObjectMeta meta = new ObjectMeta();
        fields(node, METADATA, (name, value) -> {
            switch (name) {
                case "name" -> meta.setName(text(value));
                case "namespace" -> meta.setNamespace(text(value));
                case "labels" -> meta.setLabels(strings(value));
                default -> meta.setAnnotations(strings(value));
            }
        });
        return meta;
    }

    /** Each field that has a value; a field not {@code known}, even without a value, gives up (Jackson names it). */
    private static void fields(JsonNode node, List<String> known, BiConsumer<String, JsonNode> set) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object(node).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!known.contains(field.getKey())) {
                throw new GiveUp();
            }
            if (!field.getValue().isNull()) {
                set.accept(field.getKey(), field.getValue());
            }
        }
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        object(node).fields().forEachRemaining(e -> map.put(e.getKey(), text(e.getValue())));
        return map;
    }

    private static Object value(JsonNode node, Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            if (!node.isArray()) {
                throw new GiveUp();
            }
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(value(present(item), p.getActualTypeArguments()[0])));
            return list;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Map.class && p.getActualTypeArguments()[0] == String.class) {
            Map<String, Object> map = new LinkedHashMap<>();
            object(node).fields().forEachRemaining(e -> map.put(e.getKey(), value(present(e.getValue()), p.getActualTypeArguments()[1])));
            return map;
        }
        if (!(type instanceof Class<?> c)) {
            throw new GiveUp();
        }
        if (c == String.class) {
            return text(node);
        }
        if ((c == Integer.class || c == int.class) && node.isInt()) {
            return node.intValue();
        }
        if ((c == Long.class || c == long.class) && (node.isInt() || node.isLong())) {
            return node.longValue();
        }
        if ((c == Boolean.class || c == boolean.class) && node.isBoolean()) {
            return node.booleanValue();
        }
        if ((c == Double.class || c == double.class) && (node.isDouble() || node.isInt() || node.isLong())) {
            return node.doubleValue();
        }
        if (c.isEnum() && node.isTextual()) {
            return constant(c, node.textValue());
        }
        if (c.getPackage() == QuickBinding.class.getPackage() && !c.isEnum() && !c.isInterface()) {
            return bean(node, c);
        }
        if (c.getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            return kubernetes(node, c);
        }
        throw new GiveUp();
    }

    /**
     * A value of a Kubernetes type (worker.resources, podTemplate.tolerations) by Jackson, as strictly as the whole
     * manifest would be: Jackson then knows a few small classes instead of the whole manifest's.
     */
    private static Object kubernetes(JsonNode node, Class<?> type) {
        BindingProblems problems = new BindingProblems();
        Object value;
        try {
            value = ManifestLoader.MAPPER.readerFor(type).withHandler(problems).readValue(ManifestLoader.MAPPER.treeAsTokens(node));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new GiveUp(); // the whole manifest's binding names it
        }
        if (!problems.errors().isEmpty()) {
            throw new GiveUp();
        }
        return value;
    }

    private static Object bean(JsonNode node, Class<?> type) {
        Map<String, Method> setters = SETTERS.computeIfAbsent(type, QuickBinding::setters);
        Object bean;
        try {
            bean = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new GiveUp();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object(node).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Method setter = setters.get(field.getKey());
            if (setter == null) {
                throw new GiveUp();
            }
            if (field.getValue().isNull()) {
                continue; // Nulls.SKIP: the field keeps its default
            }
            Object value = value(field.getValue(), setter.getGenericParameterTypes()[0]);
            try {
                setter.invoke(bean, value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new GiveUp();
            }
        }
        return bean;
    }

    /**
     * Public one-argument setters, by the name Jackson gives them: setKeysPerSecond is keysPerSecond, or the
     * {@code @JsonProperty} of the setter or of the field of that name. A class with any other Jackson annotation,
     * on it or on a setter or field, is not bound here.
     */
    private static Map<String, Method> setters(Class<?> type) {
        if (foreign(type.getDeclaredAnnotations())) {
            throw new GiveUp(); // not kept: Jackson binds every manifest that has one
        }
        Map<String, Method> setters = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (m.getName().startsWith("set") && m.getName().length() > 3 && m.getParameterCount() == 1
                    && !Modifier.isStatic(m.getModifiers())) {
                if (foreign(m.getDeclaredAnnotations())) {
                    throw new GiveUp();
                }
                JsonProperty named = m.getAnnotation(JsonProperty.class);
                String implied = implied(m.getName().substring(3));
                if (setters.put(named != null && !named.value().isEmpty() ? named.value() : manifestName(type, implied), m) != null) {
                    throw new GiveUp(); // overloaded: which one Jackson takes is its own rule
                }
            }
        }
        return setters;
    }

    private static String manifestName(Class<?> type, String implied) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(implied)) {
                    if (foreign(f.getDeclaredAnnotations())) {
                        throw new GiveUp();
                    }
                    JsonProperty renamed = f.getAnnotation(JsonProperty.class);
                    return renamed != null && !renamed.value().isEmpty() ? renamed.value() : implied;
                }
            }
        }
        return implied;
    }

    /** A Jackson annotation that may change binding (anything but a description, an inclusion or a name). */
    private static boolean foreign(java.lang.annotation.Annotation[] annotations) {
        for (java.lang.annotation.Annotation a : annotations) {
            String name = a.annotationType().getName();
            if (name.startsWith("com.fasterxml.jackson.") && !name.endsWith(".JsonPropertyDescription")
                    && !name.endsWith(".JsonClassDescription") && !name.endsWith(".JsonInclude")
                    && !name.endsWith(".JsonPropertyOrder") && !name.endsWith(".JsonProperty")) {
                return true;
            }
        }
        return false;
    }

    /** Jackson's own rule: the leading capitals lower-cased (URL is url, TtlMs is ttlMs). */
    private static String implied(String name) {
        StringBuilder sb = new StringBuilder(name);
        for (int i = 0; i < sb.length() && Character.isUpperCase(sb.charAt(i)); i++) {
            sb.setCharAt(i, Character.toLowerCase(sb.charAt(i)));
        }
        return sb.toString();
    }

    private static Object constant(Class<?> type, String name) {
        for (Method m : type.getDeclaredMethods()) {
            if (foreign(m.getDeclaredAnnotations())) {
                throw new GiveUp(); // a @JsonCreator or @JsonValue names the constants its own way
            }
        }
        for (Object c : type.getEnumConstants()) {
            Enum<?> e = (Enum<?>) c;
            try {
                JsonProperty p = type.getField(e.name()).getAnnotation(JsonProperty.class);
                if ((p != null ? p.value() : e.name()).equals(name)) {
                    return c;
                }
            } catch (NoSuchFieldException ex) {
                throw new GiveUp();
            }
        }
        throw new GiveUp(); // Jackson names the valid values
    }

    private static JsonNode object(JsonNode node) {
        if (!node.isObject()) {
            throw new GiveUp();
        }
        return node;
    }

    private static JsonNode present(JsonNode node) {
        if (node.isNull()) {
            throw new GiveUp(); // Nulls.FAIL in lists and maps: Jackson says where
        }
        return node;
    }

    private static String text(JsonNode node) {
        if (!node.isTextual()) {
            throw new GiveUp();
        }
        return node.textValue();
    }
}
