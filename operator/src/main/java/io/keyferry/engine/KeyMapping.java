package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.copy.Glob;
import io.keyferry.engine.redis.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each source's keys land in the target: its {@code keys.match} selects them, its {@code keys.addPrefix} is put
 * before each name. Read both ways: a source key's target name, and which key of another source lands on that name.
 */
public final class KeyMapping {
    private final List<byte[]> prefixes = new ArrayList<>();
    private final List<Glob> matches = new ArrayList<>();
    private final List<Boolean> stateKeysLeftOut = new ArrayList<>();

    public KeyMapping(DataMigrationSpec spec) {
        this(spec.getSources());
    }

    public KeyMapping(List<SourceSpec> sources) {
        for (SourceSpec s : sources) {
            String prefix = s.getKeys() == null ? null : s.getKeys().getAddPrefix();
            String match = s.getKeys() == null ? null : s.getKeys().getMatch();
            prefixes.add(prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.UTF_8));
            matches.add(match == null ? null : new Glob(match.getBytes(StandardCharsets.UTF_8)));
            stateKeysLeftOut.add(s.stateKeysLeftOut());
        }
    }

    public int sources() {
        return prefixes.size();
    }

    /** The target name of source {@code i}'s key, selected already (its prefix put before it). */
    public byte[] prefixed(int i, byte[] key) {
        return Keys.concat(prefixes.get(i), key);
    }

    /**
     * The target name of source {@code i}'s key, or null where the source's match does not select it, where it is a
     * reverse sync's source and the key is KeyFerry's state ({@link Keys#isKeyFerrys}), or where the key is a reverse
     * sync's position ({@link Keys#isReversePosition}), which a forward follow must not carry to the target.
     */
    public byte[] targetKey(int i, byte[] key) {
        if (stateKeysLeftOut.get(i) ? Keys.isKeyFerrys(key) : Keys.isReversePosition(key)) {
            return null;
        }
        Glob match = matches.get(i);
        return match == null || match.matches(key) ? prefixed(i, key) : null;
    }

    /** The key of source {@code j} that lands on this target name, or null where none can. */
    public byte[] sourceKey(int j, byte[] targetKey) {
        byte[] prefix = prefixes.get(j);
        if (targetKey.length < prefix.length || !Arrays.equals(prefix, 0, prefix.length, targetKey, 0, prefix.length)) {
            return null;
        }
        byte[] key = Arrays.copyOfRange(targetKey, prefix.length, targetKey.length);
        Glob match = matches.get(j);
        return match == null || match.matches(key) ? key : null;
    }
}
