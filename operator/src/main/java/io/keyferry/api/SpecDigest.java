package io.keyferry.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A SHA-256 of parts of a spec as JSON: names a version of them (a checkpoint's copy, a worker attempt). */
public final class SpecDigest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpecDigest() {}

    /** The digest of {@code parts} (a map of spec parts) as lower-case hex. */
    public static String of(Object parts) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(parts)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
