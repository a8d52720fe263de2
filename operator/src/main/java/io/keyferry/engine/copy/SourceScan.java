package io.keyferry.engine.copy;

import io.keyferry.api.KeySelector;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SCAN over one source's selected keys (keys.match), page by page from any cursor. Where the store
 * matches prefixes only (Kvrocks), the literal prefix goes to the server and the rest of the glob is
 * applied here, so every store yields the same keys. A Redis Cluster is scanned master after master
 * (ordered by their lowest slot); its cursor is "firstSlot:cursor", so a resumed scan finds the master
 * that now holds that slot.
 */
public final class SourceScan {
    private static final byte[] SCAN = Resp.ascii("SCAN");
    private static final byte[] MATCH = Resp.ascii("MATCH");
    /**
     * Bytes of key names a page asks for at most: a batch's names travel in every command of its keys, the batch in
     * flight's checkpoint and the copy's stages, so long names (URLs, 2 KiB each) get fewer keys a page. 200,000 keys
     * of 2 KiB names copied in 9.1 s at 250 a batch, 10.9 s and 312 MB RSS at 1,000 (`-Xmx256m`).
     */
    public static final int PAGE_KEY_BYTES = 512 * 1024;
    /** The first page's COUNT at most, before the names' length is known. */
    static final int FIRST_COUNT = 64;

    /**
     * @param keys    the keys of this page that match
     * @param scanned how many keys SCAN returned, matching or not (for progress); of this part's only
     */
    public record Page(List<byte[]> keys, String cursor, boolean finished, int scanned) {}

    private final List<RedisLink.Shard> shards;
    private final boolean cluster;
    /** SCAN's arguments after the cursor: [MATCH pattern] COUNT n. */
    private final byte[][] args;
    private final Glob filterHere;
    private boolean skipOwn;
    private final byte[] prefix;
    private final int part;
    private final int parts;
    /** The COUNT of the next page: as many names as fit {@link #PAGE_KEY_BYTES}, at least 10, at most the batch. */
    private final ChunkSize names;

    public SourceScan(RedisLink link, ServerProfile profile, KeySelector keys, int batchSize) {
        this(link, profile, keys, batchSize, 0, 1);
    }

    /**
     * Part {@code part} of {@code parts} of the source, for parallel workers: on a Redis Cluster with at least
     * as many masters as parts, whole masters (round robin, by their lowest slot); otherwise the keys whose
     * CRC32 falls in this part (every part scans the whole keyspace and keeps its own keys). The parts are
     * disjoint and together they are the whole source, so the copies of all parts equal one copy.
     */
    public SourceScan(RedisLink link, ServerProfile profile, KeySelector keys, int batchSize, int part, int parts) {
        List<RedisLink.Shard> all = link.shards();
        List<RedisLink.Shard> mine = mastersOf(all, link.cluster() != null, part, parts);
        if (mine != null) {
            this.shards = mine;
            this.part = 0;
            this.parts = 1;
        } else {
            this.shards = all;
            this.part = part;
            this.parts = parts;
        }
        this.cluster = link.cluster() != null;
        Glob glob = keys.getMatch() == null ? null : new Glob(keys.getMatch().getBytes(StandardCharsets.UTF_8));
        boolean partial = glob != null && profile.prefixOnlyMatch() && !glob.isPrefixPattern();
        this.filterHere = partial ? glob : null;
        List<byte[]> scanArgs = new ArrayList<>();
        if (glob != null) {
            scanArgs.add(MATCH);
            scanArgs.add(partial ? Keys.concat(glob.literalPrefix(), new byte[] {'*'})
                    : keys.getMatch().getBytes(StandardCharsets.UTF_8));
        }
        this.names = new ChunkSize(batchSize, FIRST_COUNT, PAGE_KEY_BYTES, 10);
        scanArgs.add(Cmd.COUNT);
        scanArgs.add(names.arg());
        this.args = scanArgs.toArray(new byte[0][]);
        this.prefix = keys.getAddPrefix() == null ? new byte[0] : keys.getAddPrefix().getBytes(StandardCharsets.UTF_8);
    }

    /** The page after {@code cursor} ("0" to begin). */
    public Page next(String cursor) {
        int shard = 0;
        String shardCursor = cursor;
        int colon = cursor.indexOf(':');
        if (cluster && colon > 0) {
            shard = shardHolding(Integer.parseInt(cursor.substring(0, colon)));
            shardCursor = cursor.substring(colon + 1);
        }
        Pipe pipe = shards.get(shard).link().pipe();
        byte[][] command = new byte[2 + args.length][];
        command[0] = SCAN;
        command[1] = shardCursor.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(args, 0, command, 2, args.length);
        List<Object> page = Resp.array(Resp.call(pipe, command), pipe.label(), command[1]);
        String pageCursor = new String(Resp.bytes(page.get(0), pipe.label(), command[1]), StandardCharsets.US_ASCII);
        boolean pageFinished = "0".equals(pageCursor);
        List<Object> found = Resp.array(page.get(1), pipe.label(), command[1]);
        names.saw(found, 1);
        args[args.length - 1] = names.arg();
        List<byte[]> keys = new ArrayList<>(found.size());
        int scanned = 0;
        for (Object o : found) {
            byte[] key = (byte[]) o;
            if (!inPart(key)) {
                continue; // another part's: not scanned by this one, as far as counts go
            }
            scanned++;
            if ((filterHere == null || filterHere.matches(key)) && !(skipOwn && Keys.isKeyFerrys(key))) {
                keys.add(key);
            }
        }
        boolean lastShard = shard == shards.size() - 1;
        String next = !cluster ? pageCursor
                : pageFinished && !lastShard ? shards.get(shard + 1).firstSlot() + ":0"
                : shards.get(shard).firstSlot() + ":" + pageCursor;
        return new Page(keys, next, pageFinished && lastShard, scanned);
    }

    private boolean inPart(byte[] key) {
        return inPart(key, part, parts);
    }

    /**
     * The masters part {@code part} of {@code parts} takes whole (round robin by lowest slot), where a cluster has at
     * least as many masters as parts; null where the parts split the keys instead ({@link #inPart(byte[], int, int)}).
     */
    public static List<RedisLink.Shard> mastersOf(List<RedisLink.Shard> all, boolean cluster, int part, int parts) {
        if (!byMaster(cluster, all.size(), parts)) {
            return null;
        }
        List<RedisLink.Shard> mine = new ArrayList<>();
        for (int i = part; i < all.size(); i += parts) {
            mine.add(all.get(i));
        }
        return mine;
    }

    /** Whether {@code parts} workers split a source by master: a cluster with at least as many masters as parts. */
    public static boolean byMaster(boolean cluster, int masters, int parts) {
        return parts > 1 && cluster && masters >= parts;
    }

    /** Whether a key falls in part {@code part} of {@code parts} where the parts split the keys: by its CRC32. */
    public static boolean inPart(byte[] key, int part, int parts) {
        if (parts <= 1) {
            return true;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(key);
        return crc.getValue() % parts == part;
    }

    /** The master whose range starts at or before a slot, closest to it. */
    private int shardHolding(int slot) {
        int found = 0;
        for (int i = 0; i < shards.size(); i++) {
            if (shards.get(i).firstSlot() <= slot) {
                found = i;
            }
        }
        return found;
    }

    /**
     * Leaves out KeyFerry's state keys ({@link Keys#isKeyFerrys}) from the pages where {@code leaveOut}: the target
     * scanned as a reverse sync's source never hands its checkpoints and journals back to the old store. A forward
     * copy hands on every key, look-alikes of KeyFerry's keys included: they are the application's data.
     */
    public SourceScan leavingStateKeysOut(boolean leaveOut) {
        skipOwn = leaveOut;
        return this;
    }

    /** The name a key of this source gets in the target (keys.addPrefix). */
    public byte[] targetKey(byte[] key) {
        return Keys.concat(prefix, key);
    }
}
