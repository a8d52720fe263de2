package io.keyferry.engine.undo;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.engine.MigrationInputException;
import io.keyferry.engine.SecretResolver;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * An undo of a migration (`keyferry undo`, a worker's): connects to the target (the sources are not needed), opens the
 * journal where the copy kept it, puts the target back ({@link Undo}) and checks it against the journal ({@link
 * UndoCheck}). Nothing is written before the target and the journal are known to be usable.
 */
public final class UndoRun implements AutoCloseable {
    private final DataMigrationSpec spec;
    private final String id;
    private final Endpoints endpoints;
    private final Function<java.util.function.Supplier<RedisLink>, SegmentStore> here;
    private RedisLink target;
    private SegmentStore store;

    /**
     * @param id   the journal's name in spec.undo.store (the migration's name or UID, as the copy kept it)
     * @param here opens the journal where the copy keeps it without spec.undo.store, given a new target connection
     */
    public UndoRun(String id, DataMigrationSpec spec, SecretResolver secrets,
                   Function<java.util.function.Supplier<RedisLink>, SegmentStore> here) {
        this.spec = spec;
        this.id = id;
        this.endpoints = new Endpoints(secrets);
        this.here = here;
    }

    /**
     * Connects to the target and opens the journal; writes nothing. Refuses (MigrationInputException) where there is
     * neither a journal nor the marker of an undo that finished ({@link #alreadyUndone}).
     */
    public ServerProfile prepare() {
        target = endpoints.connect(spec.getTarget().getEndpoint(), "spec.target.endpoint", "target");
        ServerProfile profile = new Prober().probe(target);
        store = spec.getUndo().getStore() != null
                ? new TargetSegmentStore(endpoints.connect(spec.getUndo().getStore(), "spec.undo.store", "undo store"), id, true)
                : here.apply(() -> endpoints.connect(spec.getTarget().getEndpoint(), "spec.target.endpoint", "target"));
        undone = store.bytes() == 0 ? store.undone().orElse(null) : null;
        if (store.bytes() == 0 && undone == null) {
            throw new MigrationInputException("there is no undo journal for this migration "
                    + (spec.getUndo().getStore() != null ? "in spec.undo.store" : "where its checkpoint is")
                    + ": the copy kept none (spec.undo.enabled, or an empty target at its first probe), or it was"
                    + " undone and removed already; nothing to undo");
        }
        this.profile = profile;
        return profile;
    }

    private ServerProfile profile;
    private String undone;

    /**
     * Non-null where an earlier undo put the target back, checked it and began removing the journal (its marker found,
     * no journal left): its summary. Nothing is left to restore.
     */
    public String alreadyUndone() {
        return undone;
    }

    /** After a clean check, before the journal is removed: records that this undo is done ({@link SegmentStore#markUndone}). */
    public void markUndone(String summary) {
        store.markUndone(summary);
    }

    public String targetLabel() {
        return target.label();
    }

    public long journalBytes() {
        return store.bytes();
    }

    /** Segments an earlier undo finished (0 for none): this one resumes after them. */
    public long segmentsDone() {
        return store.progress().map(p -> Long.parseLong(p.trim())).orElse(0L);
    }

    /** Segments in the journal, for an undo's progress. */
    public long segments() {
        return store.count();
    }

    /** Puts the target back, resuming where an earlier undo stopped. */
    public UndoResult restore(LongConsumer segmentsDone) {
        return new Undo(store, target.pipe(), profile).restore(segmentsDone);
    }

    /** Checks the target against the journal's prior states. */
    public UndoResult check() {
        return new UndoCheck(store, target.pipe(), profile.ttlSeconds()).check();
    }

    /** After a clean check: removes the journal, the undo's progress and the merged lists' bases (a new copy records afresh). */
    public void removeJournal() {
        store.clear();
        // the merged lists' bases go with the appends they described, undone now
        target.call(target.async().del(io.keyferry.engine.copy.ListBases.keyFor(id).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
        if (target != null) {
            target.close();
        }
        endpoints.close();
    }
}
