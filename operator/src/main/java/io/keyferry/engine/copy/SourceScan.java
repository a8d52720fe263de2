package io.keyferry.engine.copy;

import io.keyferry.api.KeySelector;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.RedisLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SCAN over one source's selected keys (keys.match), page by page from any cursor. Where the store
 * matches prefixes only (Kvrocks), the literal prefix goes to the server and the rest of the glob is
 * applied here, so every store yields the same keys.
 */
public final class SourceScan {
    /**
     * @param keys    the keys of this page that match
     * @param scanned how many keys SCAN returned, matching or not (for progress)
     */
    public record Page(List<byte[]> keys, String cursor, boolean finished, int scanned) {}

    private final RedisLink link;
    private final ScanArgs args;
    private final Glob filterHere;
    private final byte[] prefix;

    public SourceScan(RedisLink link, ServerProfile profile, KeySelector keys, int batchSize) {
        this.link = link;
        Glob glob = keys.getMatch() == null ? null : new Glob(keys.getMatch().getBytes(StandardCharsets.UTF_8));
        boolean partial = glob != null && profile.prefixOnlyMatch() && !glob.isPrefixPattern();
        this.filterHere = partial ? glob : null;
        this.args = ScanArgs.Builder.limit(batchSize);
        if (glob != null) {
            args.match(partial ? Keys.concat(glob.literalPrefix(), new byte[] {'*'})
                    : keys.getMatch().getBytes(StandardCharsets.UTF_8));
        }
        this.prefix = keys.getAddPrefix() == null ? new byte[0] : keys.getAddPrefix().getBytes(StandardCharsets.UTF_8);
    }

    /** The page after {@code cursor} ("0" to begin). */
    public Page next(String cursor) {
        KeyScanCursor<byte[]> page = link.call(link.async().scan(ScanCursor.of(cursor), args));
        List<byte[]> keys = new ArrayList<>(page.getKeys().size());
        for (byte[] key : page.getKeys()) {
            if (filterHere == null || filterHere.matches(key)) {
                keys.add(key);
            }
        }
        return new Page(keys, page.getCursor(), page.isFinished(), page.getKeys().size());
    }

    /** The name a key of this source gets in the target (keys.addPrefix). */
    public byte[] targetKey(byte[] key) {
        return Keys.concat(prefix, key);
    }
}
