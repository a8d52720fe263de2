package io.keyferry.cli.kubectl;

import io.fabric8.kubernetes.client.utils.Serialization;

/** Enum values as the manifest spells them (DualWrite, not DUAL_WRITE): what users type and read. */
final class Names {
    private Names() {}

    static String of(Enum<?> value) {
        return value == null ? null : Serialization.jsonMapper().convertValue(value, String.class);
    }
}
