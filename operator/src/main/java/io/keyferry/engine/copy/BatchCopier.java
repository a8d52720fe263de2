package io.keyferry.engine.copy;

import io.keyferry.api.DataType;
import io.keyferry.api.PolicySpec;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Keys;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.engine.redis.Resp;
import io.keyferry.engine.redis.RespConnection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Copies one batch of keys from one source: first decides every key against the target as it is
 * (nothing written yet), then reads the small keys in one pipeline and writes them in another, then
 * copies the big keys one by one in chunks.
 */
public final class BatchCopier {
    /**
     * Collections up to this many elements are copied whole, with the batch (a DUMP, or one read and writes of at most
     * {@link TypeCopier#CHUNK} elements a command, in the batch's pipelines); larger ones one by one in chunks. A DUMP
     * of 4,096 elements took Redis 7.0 at most 0.75 ms (a hash of 4,096 short fields), far below 25 ms; one bigger than
     * the batch's room is copied in chunks anyway ({@link BatchMemory}). Verification reads as many with one bounded
     * command.
     */
    public static final int WHOLE_ELEMENTS = 4096;
    /** Strings up to this many bytes are read whole. */
    public static final int SMALL_STRING_BYTES = 512 * 1024;
    static final Map<DataType, TypeCopier> COPIERS = new EnumMap<>(Map.of(
            DataType.STRING, new StringCopier(), DataType.HASH, new HashCopier(), DataType.LIST, new ListCopier(),
            DataType.SET, new SetCopier(), DataType.ZSET, new ZSetCopier(), DataType.STREAM, new StreamCopier(false)));
    /** The copiers of this pair of stores: streams with or without their consumer groups. */
    private final Map<DataType, TypeCopier> copiers = new EnumMap<>(COPIERS);

    private final String sourceName;
    private final BatchDecider decider;
    private final RedisLink sourceValues;
    private final RedisLink sourceChunks;
    private final TargetWriter target;
    private final PolicySpec policies;
    /** The reads of small keys' values, within a batch's room. */
    private final WholeReads wholeReads;
    /** Where the target keys' prior states go before they are first changed; null without spec.undo. */
    private io.keyferry.engine.undo.UndoJournal undo;
    private ListBases listBases;

    /**
     * The connections of one source's copy. A batch is decided ({@link #decide}), read ({@link #read}) and
     * written ({@link #write}) by three threads at once, each working on another batch, so each has its own:
     * deciding a source and a target connection, reading a source connection, writing a target connection
     * and a source connection for the chunks of big keys. One thread may also use the same for all.
     */
    public record Links(RedisLink source, RedisLink targetReads, RedisLink sourceValues, RedisLink sourceChunks,
                        RedisLink target) {
        /** One source and one target connection for everything, used by one thread. */
        public Links(RedisLink source, RedisLink target) {
            this(source, target, source, source, target);
        }
    }

    /**
     * @param rawTarget opens a bare connection to the target (for a key), for streaming big strings
     * @param types     the source's keys.types filter, or null for every type
     */
    public BatchCopier(String sourceName, Links links, ServerProfile targetProfile, Function<byte[], RespConnection> rawTarget,
                       PolicySpec policies, PairStrategy strategy, Set<DataType> types) {
        this.sourceName = sourceName;
        this.decider = new BatchDecider(sourceName, links.source(), links.targetReads(), targetProfile, policies, strategy, types);
        this.sourceValues = links.sourceValues();
        this.copiers.put(DataType.STREAM, new StreamCopier(strategy.consumerGroups()));
        this.wholeReads = new WholeReads(decider, copiers, sourceValues.label());
        this.sourceChunks = links.sourceChunks();
        this.target = new TargetWriter(links.target(), targetProfile, rawTarget);
        this.policies = policies;
    }

    /**
     * Records in {@code journal} every target key's prior state before this copier first changes it
     * ({@link #recordPrior}): every write path of this copier records first.
     */
    public BatchCopier journaling(io.keyferry.engine.undo.UndoJournal journal) {
        this.undo = journal;
        return this;
    }

    /** Holds at most {@code bytes} of values read whole per batch instead of {@link BatchMemory#BATCH_BYTES}. */
    public BatchCopier holdingAtMost(long bytes) {
        wholeReads.holdingAtMost(bytes);
        return this;
    }

    /** Records where each merged list's sources' part begins ({@link ListBases}) before the first append to it. */
    public BatchCopier keepingListBases(ListBases bases) {
        this.listBases = bases;
        return this;
    }

    /**
     * Records the prior state of every key the batch changes, durably, before any of its writes is sent (the undo
     * journal; nothing without one), and the bases of the lists it appends to (with {@link #keepingListBases}). A
     * journal over spec.undo.maxBytes throws, and nothing of the batch is written.
     */
    void recordPrior(List<Decision> decisions) {
        if (listBases != null) {
            listBases.record(decisions);
        }
        if (undo == null) {
            return;
        }
        List<byte[]> changing = new ArrayList<>();
        List<DataType> types = new ArrayList<>();
        for (Decision d : decisions) {
            if (d.action() != Action.NONE) {
                changing.add(d.targetKey());
                types.add(d.type());
            }
        }
        if (!changing.isEmpty()) {
            undo.record(changing, types, target.link().pipe(), target.profile());
        }
    }

    /** Source and target key names of one scanned key. */
    public record KeyPair(byte[] source, byte[] target) {}

    /**
     * Decides every key of a batch against the target as it is, nothing written ({@link BatchDecider#decide}); keys
     * outside keys.types get no decision.
     */
    public Decided decide(List<KeyPair> keys) {
        return decider.decide(keys);
    }

    /**
     * A batch decided: its decisions, and by their side the strings read while deciding (null for a key read
     * with the others in {@link #read}).
     */
    public record Decided(List<Decision> decisions, List<byte[]> values) {
        /** Decisions made earlier (a journaled batch, a repair): every value is read in {@link #read}. */
        public static Decided of(List<Decision> decisions) {
            return new Decided(decisions, java.util.Collections.nCopies(decisions.size(), null));
        }
    }

    /**
     * A batch decided and read, ready to be written.
     *
     * @param values   the whole values (or DUMP payloads) of {@code whole}, in order; null where the key vanished
     * @param deferred small keys the batch had no room to hold ({@link BatchMemory}): read and written after the
     *                 others, as many at a time as there is room for
     */
    public record Prepared(List<Decision> decisions, List<Decision> whole, List<Object> values, List<Decision> deferred,
                           List<Decision> chunked, boolean replay) {
        /** What the values read whole (payloads, strings, elements) take of the heap ({@link BatchMemory#footprint}). */
        public long bytes() {
            long bytes = 0;
            for (Object v : values) {
                bytes += BatchMemory.footprint(v);
            }
            return bytes;
        }
    }

    /** Carries out decisions made earlier on this thread. */
    public Counters execute(List<Decision> decisions, boolean replay, List<String> unsupported) {
        return write(read(Decided.of(decisions), replay), unsupported);
    }

    /**
     * Reads the small keys of a batch whole, in one pipeline, but for the strings read while deciding; big keys
     * are left for {@link #write}.
     *
     * @param replay the batch was in flight when an earlier run stopped: some of it may be written
     */
    public Prepared read(Decided batch, boolean replay) {
        List<Decision> whole = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<Decision> chunked = new ArrayList<>();
        for (int i = 0; i < batch.decisions().size(); i++) {
            Decision d = batch.decisions().get(i);
            if (d.action() == Action.NONE) {
                continue;
            }
            if (d.chunked() || (replay && appends(d.type()) && d.action() != Action.REPLACE)) {
                chunked.add(d); // an append must know what an interrupted run already appended
            } else {
                whole.add(d);
                values.add(batch.values().get(i));
            }
        }
        Prepared toRead = new Prepared(batch.decisions(), whole, values, List.of(), chunked, replay);
        return wholeReads.read(toRead, sourceValues.pipe());
    }

    /** Types whose writes append (RPUSH, XADD): repeated, they do not land where they did. */
    private static boolean appends(DataType type) {
        return type == DataType.LIST || type == DataType.STREAM;
    }

    /** Counts the keys of a batch that nothing is written for (skipped, unsupported); lists the unsupported. */
    Counters countUnwritten(Prepared batch, List<String> unsupported) {
        Counters counters = new Counters();
        for (Decision d : batch.decisions()) {
            if (d.action() == Action.NONE) {
                counters.add(d.type(), d.outcome());
                if (d.outcome() == Outcome.UNSUPPORTED) {
                    unsupported.add(sourceName + ": " + Keys.show(d.sourceKey()) + " (" + d.typeName() + ")");
                }
            }
        }
        return counters;
    }

    TargetWriter target() {
        return target;
    }

    /** Writes a prepared batch to the target and counts every key's outcome. */
    public Counters write(Prepared batch, List<String> unsupported) {
        recordPrior(batch.decisions());
        Counters counters = countUnwritten(batch, unsupported);
        queueWhole(batch.whole(), batch.values(), counters);
        target.sync();
        List<Decision> chunked = new ArrayList<>(batch.chunked());
        List<Decision> later = batch.deferred();
        while (!later.isEmpty()) { // as many at a time as the batch has room for, over this thread's source connection
            Prepared unread = new Prepared(batch.decisions(), later, java.util.Collections.nCopies(later.size(), null),
                    List.of(), List.of(), batch.replay());
            Prepared more = wholeReads.read(unread, sourceChunks.pipe());
            queueWhole(more.whole(), more.values(), counters);
            target.sync();
            chunked.addAll(more.chunked());
            later = more.deferred();
        }
        for (Decision d : chunked) {
            copyChunked(d, batch.replay(), counters);
        }
        return counters;
    }

    /** Queues the writes of small keys read whole; the caller syncs them (or sends them as one transaction). */
    void queueWhole(List<Decision> decisions, List<Object> values, Counters counters) {
        for (int i = 0; i < decisions.size(); i++) {
            // Per key, just before it is queued: a TTL is sent relative, so the clock is read as late as possible.
            long now = System.currentTimeMillis();
            Decision d = decisions.get(i);
            Object value = values.get(i);
            if (value == null || (!d.dump() && copiers.get(d.type()).isEmpty(value))) {
                counters.add(d.type(), Outcome.EXPIRED); // gone between TYPE and the read: nothing to copy
                continue;
            }
            if (d.dump()) {
                if (!restore(d, (byte[]) value, now)) {
                    counters.add(d.type(), Outcome.EXPIRED);
                    continue;
                }
                counters.addBytes(((byte[]) value).length);
            } else {
                TypeCopier copier = copiers.get(d.type());
                if (d.action() == Action.REPLACE) {
                    target.delete(d.targetKey());
                }
                copier.writeWhole(target, d, value, now);
                counters.addBytes(copier.payloadBytes(value));
            }
            counters.add(d.type(), d.outcome());
        }
    }

    private boolean restore(Decision d, byte[] payload, long now) {
        long ttl = 0;
        if (d.sourceExpireAt() >= 0) {
            ttl = d.sourceExpireAt() - now;
            if (ttl <= 0) {
                return false;
            }
        }
        // REPLACE also for a key that was absent: anything there now was written by an interrupted run of this batch.
        target.send(d.targetKey(), Cmd.RESTORE, d.targetKey(), Resp.num(ttl), payload, Cmd.REPLACE);
        return true;
    }

    void copyChunked(Decision d, boolean replay, Counters counters) {
        if (d.action() == Action.REPLACE) {
            target.delete(d.targetKey());
        }
        long bytes = copiers.get(d.type()).copyChunked(sourceChunks, target, d, replay);
        target.applyTtl(d, System.currentTimeMillis());
        target.sync();
        counters.addBytes(bytes);
        counters.add(d.type(), d.outcome());
    }

}
