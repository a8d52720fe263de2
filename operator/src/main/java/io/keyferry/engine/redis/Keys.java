package io.keyferry.engine.redis;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Key names for people: UTF-8 where the bytes are valid UTF-8, escaped otherwise. */
public final class Keys {
    private Keys() {}

    public static String show(byte[] key) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte b : key) {
                int c = b & 0xff;
                if (c >= 0x20 && c < 0x7f && c != '\\') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.toString();
        }
    }

    private static final byte[][] OWN = {"keyferry:checkpoint:".getBytes(StandardCharsets.US_ASCII),
            "keyferry:undo:".getBytes(StandardCharsets.US_ASCII)};

    /**
     * Whether a key is KeyFerry's own state (a checkpoint, a follow position, an undo journal): such keys are never
     * copied, followed or verified in either direction, so a reverse sync does not carry the target's checkpoints into
     * the old store, nor a forward sync the reverse position back.
     */
    public static boolean isKeyFerrys(byte[] key) {
        for (byte[] prefix : OWN) {
            if (key.length >= prefix.length && java.util.Arrays.equals(prefix, 0, prefix.length, key, 0, prefix.length)) {
                return true;
            }
        }
        return false;
    }

    public static byte[] concat(byte[] prefix, byte[] key) {
        if (prefix.length == 0) {
            return key;
        }
        byte[] out = new byte[prefix.length + key.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(key, 0, out, prefix.length, key.length);
        return out;
    }
}
