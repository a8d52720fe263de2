package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Turns what Jackson objects to while binding a manifest into {@link FieldError}s with
 * Kubernetes-style paths. Unknown fields and invalid enum values are recorded and skipped, so
 * one run reports all of them; any other problem stops binding and is added by {@link #add}.
 */
final class BindingProblems extends DeserializationProblemHandler {
    private final List<FieldError> errors = new ArrayList<>();

    List<FieldError> errors() {
        return errors;
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
            Object beanOrClass, String propertyName) throws IOException {
        Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
        errors.add(new FieldError(pathOf(p), "unknown field '" + propertyName + "'; known fields: "
                + String.join(", ", knownFields(ctxt, type))));
        p.skipChildren();
        return true;
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String value, String failureMsg) {
        return invalidEnumValue(ctxt, targetType, value);
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number value, String failureMsg) {
        return invalidEnumValue(ctxt, targetType, value);
    }

    /** Records why binding stopped; the parser still stands where it did. */
    void add(JsonParser p, JsonMappingException e) {
        errors.add(new FieldError(pathOf(p), describe(p, e)));
    }

    private Object invalidEnumValue(DeserializationContext ctxt, Class<?> targetType, Object value) {
        if (!targetType.isEnum()) {
            return NOT_HANDLED;
        }
        errors.add(new FieldError(pathOf(ctxt.getParser()),
                "'" + value + "' is not valid; use one of " + String.join(", ", manifestNames(targetType))));
        return null;
    }

    private static String describe(JsonParser p, JsonMappingException e) {
        if (e instanceof InvalidNullException) {
            return "is empty (null); give it a value or remove it";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null && p.currentToken() != null) {
            String message = "expected " + expected(m.getTargetType()) + ", got " + got(p.currentToken());
            boolean yamlBoolean = p.currentToken() == JsonToken.VALUE_TRUE || p.currentToken() == JsonToken.VALUE_FALSE;
            // YAML 1.1 (and so kubectl) reads unquoted Off, On, Yes and No as booleans.
            return yamlBoolean && m.getTargetType().isEnum()
                    ? message + "; YAML reads unquoted Off/On/Yes/No as booleans, so quote it: \"Off\"" : message;
        }
        return e.getOriginalMessage();
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + String.join(", ", manifestNames(type));
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return Map.class.isAssignableFrom(type) ? "a map" : "an object";
    }

    /** Names the kind of value, never the value itself: it may be a secret pasted in the wrong place. */
    private static String got(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a whole number";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> token.asString();
        };
    }

    /** The field names a manifest may use for a type, in the order the type declares them. */
    private static List<String> knownFields(DeserializationContext ctxt, Class<?> type) {
        return ctxt.getConfig().introspect(ctxt.constructType(type)).findProperties().stream()
                .filter(BeanPropertyDefinition::couldDeserialize)
                .map(BeanPropertyDefinition::getName)
                .toList();
    }

    /** The names of an enum's constants as a manifest spells them (their {@code @JsonProperty}). */
    private static List<String> manifestNames(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(c -> manifestName((Enum<?>) c)).toList();
    }

    private static String manifestName(Enum<?> constant) {
        try {
            JsonProperty name = constant.getDeclaringClass().getField(constant.name()).getAnnotation(JsonProperty.class);
            return name != null ? name.value() : constant.name();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("an enum constant is a field of its class", e);
        }
    }

    /** {@code spec.sources[0].endpoint}: the field or list item the parser is in. */
    private static String pathOf(JsonParser p) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray() && c.hasCurrentIndex()) {
                parts.push("[" + c.getCurrentIndex() + "]");
            } else if (c.inObject() && c.hasCurrentName()) {
                parts.push("." + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }
}
