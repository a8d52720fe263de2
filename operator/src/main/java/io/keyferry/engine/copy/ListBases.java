package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each list the migration merges into begins its sources' part: the length the target list had before the
 * migration first appended to it (0 where the migration created it), kept in the target as the hash
 * {@code keyferry:listbase:{<id>}}, one field per target key. It is recorded before the first append is sent, once
 * (HSETNX). A merged list is then brought up to date, however its sources changed (pushes, pops, LSET, LREM), by
 * cutting it back to that length and appending every source's list again ({@link #cutBack}): the target's own
 * elements stay, and no source element is there twice, however often that is done. That is how a live sync and a
 * repair apply a list under Merge.
 */
public final class ListBases {
    private final RedisLink target;
    private final byte[] hash;

    /** @param id the migration's id (a checkpoint id): its bases are kept apart from any other migration's */
    public ListBases(RedisLink target, String id) {
        this.target = target;
        this.hash = keyFor(id).getBytes(StandardCharsets.UTF_8);
    }

    /** The hash a migration's list bases are kept in. */
    public static String keyFor(String id) {
        return "keyferry:listbase:{" + id + "}";
    }

    /**
     * Records the base of every list a batch appends to that has none yet, and waits for the target to have it: the
     * target's length before the append (a Merge), 0 (a copy into an absent key, or over a key of another type).
     */
    void record(List<Decision> decisions) {
        Pipe p = target.pipe();
        int sent = 0;
        for (Decision d : decisions) {
            if (d.type() == DataType.LIST && d.action() != Action.NONE) {
                long base = d.action() == Action.MERGE ? d.targetLenBefore() : 0;
                p.send(Cmd.HSETNX, hash, d.targetKey(), Resp.num(base));
                sent++;
            }
        }
        if (sent > 0) {
            for (Object reply : p.sync()) {
                if (reply instanceof Resp.Error e) {
                    throw new IllegalStateException(target.label() + ": HSETNX " + keyFor("") + " answered " + e.message());
                }
            }
        }
    }

    /**
     * Cuts the lists among {@code keys} that have a base back to it (LTRIM; DEL where it is 0), so that copying every
     * source's list again under Merge appends each once. Keys without a base, or that are no list in the target now,
     * are left as they are.
     *
     * @param before called with the keys about to be cut back, before anything is sent (the undo journal's record)
     * @return the keys cut back
     */
    public List<byte[]> cutBack(List<byte[]> keys, java.util.function.Consumer<List<byte[]>> before) {
        if (keys.isEmpty()) {
            return List.of();
        }
        Pipe p = target.pipe();
        List<Object> bases = Resp.array(Resp.call(p, Resp.command(Cmd.HMGET, hash, keys)), target.label(), hash);
        List<byte[]> based = new ArrayList<>();
        List<Long> baseOf = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (bases.get(i) instanceof byte[] b) {
                based.add(keys.get(i));
                baseOf.add(Long.parseLong(new String(b, StandardCharsets.US_ASCII)));
            }
        }
        if (based.isEmpty()) {
            return List.of();
        }
        based.forEach(k -> p.send(Cmd.TYPE, k));
        List<Object> types = p.sync();
        List<byte[]> cut = new ArrayList<>();
        List<Long> to = new ArrayList<>();
        for (int i = 0; i < based.size(); i++) {
            if ("list".equals(Resp.typeName(types.get(i), target.label(), based.get(i)))) {
                cut.add(based.get(i));
                to.add(baseOf.get(i));
            }
        }
        if (cut.isEmpty()) {
            return List.of();
        }
        before.accept(cut);
        for (int i = 0; i < cut.size(); i++) {
            if (to.get(i) == 0) {
                p.send(Cmd.DEL, cut.get(i));
            } else {
                p.send(Cmd.LTRIM, cut.get(i), Cmd.ZERO, Resp.num(to.get(i) - 1));
            }
        }
        for (Object reply : p.sync()) {
            if (reply instanceof Resp.Error e) {
                throw new IllegalStateException(target.label() + ": cutting a merged list back answered " + e.message());
            }
        }
        return cut;
    }
}
