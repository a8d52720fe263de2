package io.keyferry.engine.redis;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
     * Whether a key has the form of KeyFerry's state (a checkpoint, a follow position, an undo journal). Only a reverse
     * sync leaves such keys out (it reads the target, which holds the migration's own); a forward copy copies them,
     * since a source's keys of that form are the application's (or another tool's) data.
     */
    public static boolean isKeyFerrys(byte[] key) {
        for (byte[] prefix : OWN) {
            if (startsWith(key, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] REVERSE_POSITION_END = ":reverse:follow}".getBytes(StandardCharsets.US_ASCII);

    /** Whether a key is a reverse sync's position ({@code keyferry:checkpoint:{<uid>:reverse:follow}}), kept in a source. */
    public static boolean isReversePosition(byte[] key) {
        return startsWith(key, OWN[0]) && key.length >= OWN[0].length + REVERSE_POSITION_END.length
                && Arrays.equals(REVERSE_POSITION_END, 0, REVERSE_POSITION_END.length,
                        key, key.length - REVERSE_POSITION_END.length, key.length);
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(prefix, 0, prefix.length, key, 0, prefix.length);
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
