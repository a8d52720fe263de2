package io.keyferry.engine.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Copies while the application writes both stores (DualWrite: old store first, then the new one), so that no write
 * of KeyFerry's lands on an application write made after KeyFerry read the source. The target keys are WATCHed
 * before anything is decided or read, and the small keys' writes go as one MULTI/EXEC, which the server refuses
 * where a watched key changed meanwhile; nothing is then written, and the keys are copied again one by one, each
 * under its own WATCH. Whatever write of the application's comes after the WATCH is either before the EXEC (which
 * then fails) or after it (and then wins, as it must).
 *
 * <p>What this cannot guard is said where it happens: a big key's chunks cannot go in one transaction and are
 * copied after it, unguarded, and a store without transactions, or a cluster (whose keys' nodes each have their own
 * connection), gets the plain copy; verification rounds look at such keys again.
 */
public final class GuardedCopy {
    /**
     * Keys a guarded batch holds at most, whatever spec.worker.batchSize says: its small keys' writes are one
     * MULTI/EXEC, which holds the target's other clients (the application, in DualWrite) for its whole length, and
     * fails whole, to be copied key by key, when the application wrote any one of its keys meanwhile.
     */
    public static final int BATCH_AT_MOST = 500;
    /** Tries of one key an application keeps writing; after them it is left to the next verification round. */
    static final int ATTEMPTS = 3;

    private final BatchCopier batches;
    private final TargetWriter target;

    public GuardedCopy(BatchCopier batches) {
        this.batches = batches;
        this.target = batches.target();
    }

    /**
     * Copies a batch.
     *
     * @param journal receives the batch's decisions after they are made and before anything is written
     * @return the outcomes; a key an application write raced on every attempt is not counted (verification has it)
     */
    public Counters copy(List<BatchCopier.KeyPair> keys, Consumer<List<Decision>> journal, List<String> unsupported) {
        if (keys.isEmpty()) {
            journal.accept(List.of());
            return new Counters();
        }
        if (!target.guards()) {
            BatchCopier.Prepared batch = batches.read(batches.decide(keys), false);
            journal.accept(batch.decisions());
            return batches.write(batch, unsupported);
        }
        target.watch(keys.stream().map(BatchCopier.KeyPair::target).toList());
        BatchCopier.Prepared batch = batches.read(batches.decide(keys), false);
        journal.accept(batch.decisions());
        batches.recordPrior(batch.decisions());
        Counters counters = batches.countUnwritten(batch, unsupported);
        Counters whole = new Counters();
        if (target.transaction(() -> batches.queueWhole(batch.whole(), batch.values(), whole))) {
            counters.addAll(whole);
        } else {
            copyEach(batch.whole(), counters, unsupported);
        }
        copyEach(batch.deferred(), counters, unsupported); // no room for them in the transaction's batch
        for (Decision d : batch.chunked()) {
            batches.copyChunked(d, false, counters);
        }
        return counters;
    }

    /** Copies keys one by one, each under its own WATCH; one an application write raced every time is not counted. */
    private void copyEach(List<Decision> keys, Counters counters, List<String> unsupported) {
        for (Decision d : keys) {
            Counters one = copyKey(new BatchCopier.KeyPair(d.sourceKey(), d.targetKey()), x -> true, unsupported);
            if (one != null) {
                counters.addAll(one);
            }
        }
    }

    /**
     * Copies one key again (a repair), up to {@link #ATTEMPTS} times while the application's writes race it.
     *
     * @param keep the decisions to carry out (a list under Merge is left alone: appending again duplicates it)
     * @return its outcome, or null where an application write raced every attempt: nothing was written
     */
    public Counters copyKey(BatchCopier.KeyPair key, Predicate<Decision> keep, List<String> unsupported) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Counters done = tryKey(key, keep, unsupported);
            if (done != null) {
                return done;
            }
        }
        return null;
    }

    private Counters tryKey(BatchCopier.KeyPair key, Predicate<Decision> keep, List<String> unsupported) {
        boolean guards = target.guards();
        if (guards) {
            target.watch(List.of(key.target()));
        }
        BatchCopier.Decided decided = batches.decide(List.of(key));
        List<Decision> kept = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < decided.decisions().size(); i++) {
            if (keep.test(decided.decisions().get(i))) {
                kept.add(decided.decisions().get(i));
                values.add(decided.values().get(i));
            }
        }
        BatchCopier.Prepared batch = batches.read(new BatchCopier.Decided(kept, values), false);
        if (!guards) {
            return batches.write(batch, unsupported);
        }
        batches.recordPrior(batch.decisions());
        Counters counters = batches.countUnwritten(batch, unsupported);
        if (!target.transaction(() -> batches.queueWhole(batch.whole(), batch.values(), counters))) {
            return null;
        }
        for (Decision d : batch.chunked()) {
            batches.copyChunked(d, false, counters);
        }
        return counters;
    }
}
