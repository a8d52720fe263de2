package io.keyferry.engine.verify;

import io.keyferry.api.KeySelector;
import io.keyferry.engine.checkpoint.TargetCheckpointStore;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.WatchedWrite;
import io.lettuce.core.RedisFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The other direction of verification, for a dual-write cutover: keys the target has, within the key
 * filters of some source (its match, types and prefix), that no such source has. The application deleted
 * them from both stores while the backfill ran, or only from the old one; either way the new store must
 * not keep them. KeyFerry's own checkpoint keys are never counted.
 */
final class ExtraKeys {
    /** The source key a target key comes from under source j's filters, or null where it cannot. */
    interface Claims {
        byte[] sourceKeyFor(int source, byte[] targetKey);

        boolean selected(int source, String typeReply);
    }

    private static final byte[] OWN = TargetCheckpointStore.KEY_PREFIX.getBytes(StandardCharsets.UTF_8);
    /** The undo journal's keys, where it is kept in the target. */
    private static final byte[] UNDO = io.keyferry.engine.undo.TargetSegmentStore.KEY_PREFIX.getBytes(StandardCharsets.UTF_8);

    private final List<RedisLink> sources;
    private final RedisLink target;
    private final ServerProfile targetProfile;
    private final int batchSize;
    private final Claims claims;
    private final int limit;

    ExtraKeys(List<RedisLink> sources, RedisLink target, ServerProfile targetProfile, int batchSize, Claims claims, int limit) {
        this.sources = sources;
        this.target = target;
        this.targetProfile = targetProfile;
        this.batchSize = batchSize;
        this.claims = claims;
        this.limit = limit;
    }

    /** Scans the whole target; returns the extra keys found (at most {@code limit}) and counts the keys scanned. */
    List<byte[]> find(java.util.function.LongConsumer scanned) {
        SourceScan scan = new SourceScan(target, targetProfile, new KeySelector(), batchSize);
        List<byte[]> extra = new ArrayList<>();
        String cursor = "0";
        SourceScan.Page page;
        do {
            page = scan.next(cursor);
            extra.addAll(extraAmong(page.keys()));
            scanned.accept(page.scanned());
            cursor = page.cursor();
        } while (!page.finished() && extra.size() < limit);
        return extra.size() > limit ? extra.subList(0, limit) : extra;
    }

    /** Those of {@code keys} that are (still) in the target and in none of the sources that would write them. */
    List<byte[]> extraAmong(List<byte[]> keys) {
        List<byte[]> candidates = new ArrayList<>();
        List<RedisFuture<String>> types = new ArrayList<>();
        for (byte[] key : keys) {
            if (key.length >= OWN.length && Arrays.equals(OWN, 0, OWN.length, key, 0, OWN.length)
                    || key.length >= UNDO.length && Arrays.equals(UNDO, 0, UNDO.length, key, 0, UNDO.length)) {
                continue;
            }
            for (int j = 0; j < sources.size(); j++) {
                if (claims.sourceKeyFor(j, key) != null) {
                    candidates.add(key);
                    types.add(target.async().type(key));
                    break;
                }
            }
        }
        target.sync(types);
        List<byte[][]> asked = new ArrayList<>();
        List<List<RedisFuture<Long>>> exists = new ArrayList<>();
        for (int j = 0; j < sources.size(); j++) {
            exists.add(new ArrayList<>());
        }
        List<byte[]> inScope = new ArrayList<>();
        for (int k = 0; k < candidates.size(); k++) {
            String type = RedisLink.await(types.get(k));
            byte[][] row = new byte[sources.size()][];
            boolean any = false;
            for (int j = 0; j < sources.size(); j++) {
                byte[] sk = claims.sourceKeyFor(j, candidates.get(k));
                if (sk != null && claims.selected(j, type)) {
                    row[j] = sk;
                    any = true;
                }
            }
            if (any) {
                inScope.add(candidates.get(k));
                asked.add(row);
            }
        }
        List<List<RedisFuture<Long>>> replies = new ArrayList<>();
        for (byte[][] row : asked) {
            List<RedisFuture<Long>> r = new ArrayList<>();
            for (int j = 0; j < sources.size(); j++) {
                RedisFuture<Long> f = row[j] == null ? null : sources.get(j).async().exists(row[j]);
                r.add(f);
                if (f != null) {
                    exists.get(j).add(f);
                }
            }
            replies.add(r);
        }
        for (int j = 0; j < sources.size(); j++) {
            sources.get(j).sync(exists.get(j));
        }
        List<byte[]> extra = new ArrayList<>();
        for (int k = 0; k < inScope.size(); k++) {
            boolean inSomeSource = false;
            for (int j = 0; j < sources.size() && !inSomeSource; j++) {
                inSomeSource = replies.get(k).get(j) != null && exists(sources.get(j), replies.get(k).get(j));
            }
            if (!inSomeSource) {
                extra.add(inScope.get(k));
            }
        }
        return extra;
    }

    private static boolean exists(RedisLink source, RedisFuture<Long> reply) {
        try {
            return RedisLink.await(reply) > 0;
        } catch (RuntimeException e) {
            throw new IllegalStateException(source.label() + " refused EXISTS: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes extra keys from the target (the repair: the old store is the truth). Where the target has
     * transactions, each key is WATCHed, found extra again, and deleted in a MULTI/EXEC, so a key the application
     * writes again meanwhile (it wrote the old store first, and a source now has it) is left alone.
     *
     * Each key's state is recorded in {@code journal} (where one is kept) before its delete is sent.
     *
     * @return how many deletes an application write raced (those keys are looked at again)
     */
    int delete(List<byte[]> keys, io.keyferry.engine.undo.UndoJournal journal) {
        if (!targetProfile.commands().transactions() || target.cluster() != null) {
            if (journal != null) {
                journal.recordBeforeDelete(keys, target.pipe(), targetProfile);
            }
            List<RedisFuture<Long>> deletes = new ArrayList<>();
            for (byte[] key : keys) {
                deletes.add(target.async().del(key));
            }
            target.sync(deletes);
            for (int i = 0; i < keys.size(); i++) {
                try {
                    RedisLink.await(deletes.get(i));
                } catch (RuntimeException e) {
                    throw new IllegalStateException(target.label() + " refused DEL for " + io.keyferry.engine.redis.Keys.show(keys.get(i))
                            + ": " + e.getMessage(), e);
                }
            }
            return 0;
        }
        int raced = 0;
        Pipe pipe = target.pipe();
        for (byte[] key : keys) {
            Resp.call(pipe, Cmd.WATCH, key);
            if (extraAmong(List.of(key)).isEmpty()) {
                WatchedWrite.transaction(pipe, key, List.<byte[][]>of()); // ends the WATCH, writes nothing
                continue;
            }
            if (journal != null) { // reads only: the WATCH holds
                journal.recordBeforeDelete(List.of(key), pipe, targetProfile);
            }
            if (WatchedWrite.transaction(pipe, key, List.<byte[][]>of(new byte[][] {Cmd.DEL, key})) == null) {
                raced++;
            }
        }
        return raced;
    }
}
