package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.SourceSpec;
import io.keyferry.engine.checkpoint.Checkpoint;
import io.keyferry.engine.checkpoint.CheckpointStore;
import io.keyferry.engine.copy.BatchCopier;
import io.keyferry.engine.copy.PaceClock;
import io.keyferry.engine.copy.PairStrategy;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.copy.TargetBackoff;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.verify.VerifyResult;
import java.util.ArrayList;
import java.util.List;

/**
 * One copy of every source into the target, as `keyferry run`, a worker and the tests all run it:
 * {@link #prepare()} connects and probes every endpoint and writes nothing; {@link #copy} then
 * copies the sources one after another in list order, so a later source wins whatever the timing.
 */
public final class Migration implements AutoCloseable {
    private final String name;
    private final DataMigrationSpec spec;
    private final MigrationLinks links;
    private final CheckpointStore.Factory storeFactory;
    private CheckpointStore store;
    /** A worker starts over when the saved state is of another spec; `keyferry run` asks for --restart instead. */
    private boolean restartOnOtherSpec;
    private boolean guardWrites;
    private RedisLink target;
    /** A second target connection: the reading side of a copy decides against the target while the other writes. */
    private RedisLink targetReads;
    private ServerProfile targetProfile;
    private List<RedisLink> sources;
    private final List<ServerProfile> sourceProfiles = new ArrayList<>();
    private CopyPlan plan;
    private Checkpoint checkpoint;
    private PaceClock clock = PaceClock.SYSTEM;
    private TargetBackoff backoff = new TargetBackoff();
    private CheckpointStore ownedStore;
    /** spec.worker.rateLimit.sourceOpsPerSecond, 0 for none; when set, source commands are counted. */
    private final int sourceOpsPerSecond;
    /** The part of a source this copy takes (parallel workers), 0 of 1 for all of it. */
    private int part;
    private int parts = 1;
    /** Opens the undo journal where the copy keeps one (spec.undo); null: the journal is not kept. */
    private io.keyferry.engine.undo.UndoJournal.Opener journalOpener;
    private io.keyferry.engine.undo.UndoJournal journal;
    private MergedLists mergedLists;

    /**
     * @param store where the copy keeps its checkpoint; null for a migration that is only verified
     */
    public Migration(String name, DataMigrationSpec spec, SecretResolver secrets, CheckpointStore store) {
        this(name, spec, secrets, store == null ? null : target -> store);
        this.store = store;
    }

    /**
     * @param storeFactory opens the checkpoint store once the target is known to be usable (it may keep the
     *                     state in the target); null for a migration that is only verified. The store it
     *                     opens is closed with this migration.
     */
    public Migration(String name, DataMigrationSpec spec, SecretResolver secrets, CheckpointStore.Factory storeFactory) {
        this.name = name;
        this.spec = spec;
        this.links = new MigrationLinks(spec, secrets);
        this.storeFactory = storeFactory;
        Integer ops = spec.getWorker().getRateLimit().getSourceOpsPerSecond();
        this.sourceOpsPerSecond = ops == null ? 0 : ops;
        if (sourceOpsPerSecond > 0) {
            links.countingCommands();
        }
    }

    /** A migration that is only verified: nothing is copied and no checkpoint is kept. */
    public static Migration verifyOnly(String name, DataMigrationSpec spec, SecretResolver secrets) {
        return new Migration(name, spec, secrets, (CheckpointStore.Factory) null);
    }

    /**
     * The application writes both stores while this copy runs (DualWrite): every write is guarded against the
     * application's ({@link io.keyferry.engine.copy.GuardedCopy}), batch after batch on one thread.
     */
    public Migration guardingWrites() {
        this.guardWrites = true;
        return this;
    }

    /** Paces the copy (rate limits, the target's backoff) on this clock instead of the system's. */
    public Migration pacedBy(PaceClock clock) {
        this.clock = clock;
        this.backoff = new TargetBackoff(clock);
        return this;
    }

    /**
     * Keeps the undo journal (spec.undo) that {@code opener} opens, when the copy decides to keep one at its first
     * {@link #prepare()}: spec.undo.enabled, or unset, whether the target held keys then; the decision is saved in the
     * checkpoint, so a resumed copy keeps it. A verification only ({@link #verifyOnly}) keeps it where
     * spec.undo.enabled is true (the caller resolves the copy's decision): its repairs and extra-key deletes are
     * recorded. The journal is closed with this migration.
     */
    public Migration journalingUndo(io.keyferry.engine.undo.UndoJournal.Opener opener) {
        this.journalOpener = opener;
        return this;
    }

    /** Saved state of another version of the spec is discarded (the copy starts over) instead of refused. */
    public Migration restartingOnOtherSpec() {
        this.restartOnOtherSpec = true;
        return this;
    }

    /** Connects to and probes every endpoint, checks they can be used together, and plans the copy. */
    public CopyPlan prepare() {
        target = links.openTarget();
        targetProfile = links.probe(target, "spec.target.endpoint", spec.getTarget().getEndpoint());
        sources = new ArrayList<>();
        List<CopyPlan.SourcePlan> plans = new ArrayList<>();
        for (int i = 0; i < spec.getSources().size(); i++) {
            SourceSpec s = spec.getSources().get(i);
            String path = "spec.sources[" + i + "].endpoint";
            EndpointSpec readAt = links.readEndpoint(i);
            RedisLink link = links.openSource(i);
            ServerProfile profile = links.probe(link, path, readAt);
            links.checkNotTarget(i, link, profile, target, targetProfile);
            sources.add(link);
            sourceProfiles.add(profile);
            plans.add(new CopyPlan.SourcePlan(s.getName(), link.label(), profile,
                    PairStrategy.choose(profile, targetProfile), CopyStart.describeKeys(s.getKeys())));
        }
        if (storeFactory == null) {
            if (Boolean.TRUE.equals(spec.getUndo().getEnabled())) { // decided by the copy: its repairs and deletes journal too
                openJournal();
            }
            plan = new CopyPlan(plans, target.label(), targetProfile, CopyStart.describePolicies(spec), "verify only", false);
        } else {
            MigrationLinks.requireWritable(target, targetProfile);
            if (store == null) {
                store = storeFactory.open(links::connectTarget);
                ownedStore = store;
            }
            checkpoint = CopyStart.loadOrStart(store, name, spec, restartOnOtherSpec);
            openJournal();
            String[] backfills = SnapshotBackfill.decide(checkpoint, new SnapshotBackfill.Context(spec, targetProfile,
                    guardWrites, journal != null, spec.getWorker().getBackfill() == io.keyferry.api.Backfill.SNAPSHOT
                    && SnapshotBackfill.emptyButOwnKeys(target, targetProfile), i -> sources.get(i).shards().size()),
                    sourceProfiles);
            for (int i = 0; i < plans.size(); i++) {
                plans.set(i, plans.get(i).backfilled(backfills[i]));
            }
            plan = new CopyPlan(plans, target.label(), targetProfile, CopyStart.describePolicies(spec), CopyStart.resumeNote(checkpoint), checkpoint.finished());
        }
        return plan;
    }

    /** Copies every source in list order, resuming from the saved state; call {@link #prepare()} first. */
    public CopyResult copy(ProgressListener listener) {
        return copy(listener, 0, sources.size());
    }

    /**
     * Copies one source only (a worker's share of the migration; the caller runs the sources in list
     * order). The checkpoint store then holds this source's state alone.
     */
    public CopyResult copySource(int index, ProgressListener listener) {
        return copySource(index, 0, 1, listener);
    }

    /**
     * Copies part {@code part} of {@code parts} of one source (see {@link SourceScan}): parallel workers each
     * copy a part, with a checkpoint of its own; the parts of a source together copy exactly what one would.
     */
    public CopyResult copySource(int index, int part, int parts, ProgressListener listener) {
        this.part = part;
        this.parts = parts;
        return copy(listener, index, index + 1);
    }

    private CopyResult copy(ProgressListener listener, int from, int to) {
        return new CopyRun(this, store, new ScanRun.Pacing(part, parts, clock, backoff, sourceOpsPerSecond, guardWrites))
                .run(listener, from, to);
    }

    /** Decides whether the copy keeps an undo journal (once, saved in the checkpoint) and opens it. */
    private void openJournal() {
        if (journalOpener == null) {
            return;
        }
        Boolean wanted = spec.getUndo().getEnabled();
        if (wanted == null) {
            wanted = checkpoint.undo != null ? checkpoint.undo : targetProfile.dbsize() > 0;
        }
        if (checkpoint != null) {
            checkpoint.undo = wanted;
        }
        if (wanted) {
            journal = journalOpener.open(links::connectTarget, links::connectUndoStore);
        }
    }

    /** What the probe found the target to be; call {@link #prepare()} first. */
    public ServerProfile targetProfile() {
        return targetProfile;
    }

    /** The undo journal this copy keeps, or null. */
    public io.keyferry.engine.undo.UndoJournal journal() {
        return journal;
    }

    /**
     * Verifies the target against the sources under the policies (spec.verify); call {@link #prepare()}
     * first. With repair, keys that still differ after every round are copied again and re-checked.
     */
    public VerifyResult verify(ProgressListener listener, boolean repair) {
        return verify(listener, repair, false);
    }

    /**
     * @param extraKeys also report target keys, within some source's key filters, that no source has (and delete
     *                  them with repair): the other direction, for a dual-write cutover
     */
    public VerifyResult verify(ProgressListener listener, boolean repair, boolean extraKeys) {
        if (repair) {
            MigrationLinks.requireWritable(target, targetProfile);
        }
        return new VerifyRun(this).run(listener, repair, extraKeys, spec.getVerify());
    }

    /** A verification of every key (whatever spec.verify.mode says), with repair: a live sync that missed changes. */
    public VerifyResult rescan(ProgressListener listener) {
        return rescan(listener, false);
    }

    /**
     * @param extraKeys also delete the target keys, within the sources' key filters, that no source has (a reverse sync
     *                  or copy: keys deleted from the new store must go from the old one too)
     */
    public VerifyResult rescan(ProgressListener listener, boolean extraKeys) {
        io.keyferry.api.VerifySpec all = io.keyferry.engine.checkpoint.Checkpoint.JSON.convertValue(spec.getVerify(),
                io.keyferry.api.VerifySpec.class);
        all.setMode(io.keyferry.api.VerifyMode.FULL);
        return new VerifyRun(this).run(listener, true, extraKeys, all);
    }

    RedisLink targetReads() {
        if (targetReads == null) {
            targetReads = links.openTarget();
        }
        return targetReads;
    }

    /** A connection of its own to the master of a key's slot in a cluster target, or to the target's endpoint. */
    io.keyferry.engine.redis.RespConnection openRawTarget(byte[] key) {
        return links.rawTarget(targetNodeOf(key));
    }

    /** A connection of its own to one master of a cluster target ("host:port"; null: the endpoint), logged in. */
    io.keyferry.engine.redis.RespConnection openRawTarget(String node) {
        return links.rawTarget(node);
    }

    /** "host:port" of the master of a key's slot in a cluster target; null where the target is a server. */
    String targetNodeOf(byte[] key) {
        io.lettuce.core.RedisURI node = target.nodeFor(key);
        return node == null ? null : node.getHost() + ":" + node.getPort();
    }

    /**
     * A copier of source {@code i}'s keys named one by one (a repair, a live sync's changed keys), under the policies,
     * over the source's and the target's first connections; call {@link #prepare()} first.
     */
    public BatchCopier copier(int i) {
        SourceSpec s = spec.getSources().get(i);
        return new BatchCopier(s.getName(), new BatchCopier.Links(sources.get(i), target), targetProfile, this::openRawTarget,
                spec.getPolicies(), plan.sources().get(i).strategy(), CopyStart.typeFilter(s.getKeys())).journaling(journal)
                .keepingListBases(listBases());
    }

    /**
     * Keeps the bases of the lists merged into ({@link io.keyferry.engine.copy.ListBases}) in the target under this id
     * (the checkpoint id), where lists are under Merge: a live sync and a repair then bring such a list up to date
     * without appending any source element twice.
     */
    public Migration keepingListBases(String id) {
        this.mergedLists = id == null ? null : new MergedLists(id);
        return this;
    }

    /**
     * Cuts the lists under Merge among these target keys back to what the target held before the migration appended
     * ({@link io.keyferry.engine.copy.ListBases#cutBack}), journaled first; copying them again then appends every
     * source's list once. Returns the keys cut back (none where lists are not merged).
     */
    public List<byte[]> cutBackMergedLists(List<byte[]> keys) {
        return mergedLists == null ? List.of() : mergedLists.cutBack(keys, spec, target, targetProfile, journal);
    }

    /** Where the merged lists' bases are kept; null where lists are not merged (or no id was given). Call {@link #prepare()} first. */
    public io.keyferry.engine.copy.ListBases listBases() {
        return mergedLists == null ? null : mergedLists.bases(spec, target);
    }

    /**
     * A connection of its own to source {@code i}, where the copy reads it (a replica with readFrom: Replica), logged in:
     * a live sync follows the source over it as a replica. Call {@link #prepare()} first.
     */
    public io.keyferry.engine.redis.RespConnection openRawSource(int i) {
        return openRawSource(i, null);
    }

    /** The same, to one node of a cluster source ("host:port", as {@link RedisLink#shards} names it; null: the endpoint). */
    public io.keyferry.engine.redis.RespConnection openRawSource(int i, String node) {
        return links.rawSource(i, node);
    }

    /** The target's first connection (for a live sync's deletes); call {@link #prepare()} first. */
    public RedisLink target() {
        return target;
    }

    /** Source {@code i}'s first connection; call {@link #prepare()} first. */
    public RedisLink source(int i) {
        return sources.get(i);
    }

    /** The source's masters this copy takes: all of them, or those of its part where workers split a cluster by master. */
    List<RedisLink.Shard> mastersCopied(int i) {
        List<RedisLink.Shard> all = sources.get(i).shards();
        List<RedisLink.Shard> mine = SourceScan.mastersOf(all, sourceProfiles.get(i).cluster(), part, parts);
        return mine != null ? mine : all;
    }

    /** What the probe found source {@code i} to be; call {@link #prepare()} first. */
    public io.keyferry.engine.probe.ServerProfile sourceProfile(int i) {
        return sourceProfiles.get(i);
    }

    DataMigrationSpec spec() {
        return spec;
    }

    List<RedisLink> sourceLinks() {
        return sources;
    }

    List<ServerProfile> sourceProfiles() {
        return sourceProfiles;
    }

    /** Another connection to source {@code i} where the copy reads it, and to the target. */
    RedisLink connectSource(int i) {
        return links.connectSource(i);
    }

    RedisLink connectTarget() {
        return links.connectTarget();
    }

    MigrationLinks links() {
        return links;
    }

    CopyPlan.SourcePlan sourcePlan(int i) {
        return plan.sources().get(i);
    }

    long estimatedKeys() {
        return plan.estimatedKeys();
    }

    /** The copy's checkpoint after {@link #prepare()}: its cursors and counts (what a worker reports). */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public void close() {
        if (ownedStore != null) {
            ownedStore.close();
        }
        if (journal != null) {
            journal.close();
        }
        links.close();
    }

}
