package io.keyferry.engine.undo;

import java.util.List;

/**
 * Walks the journal's segments in order and hands on, of every key, the records of its first whole record (a key's
 * first record wins: it is the state before the migration; a record cut short by a kill and recorded again later is
 * replaced by the later whole one). Used by {@link Undo} and {@link UndoCheck}.
 */
final class JournalReplay {
    /** What is done with the records of one segment. */
    interface SegmentWork {
        void apply(int segment, List<PriorState> records);
    }

    /** Keys whose first whole record was handed on. */
    private final KeySet whole = new KeySet();

    /**
     * @param from segments before this one only count their keys (an undo resumed after them); from it on, each
     *             segment's records that belong to a key's first whole record go to {@code work}
     */
    void walk(SegmentStore store, int from, SegmentWork work) {
        int[] at = {0};
        store.forEach(segment -> {
            int index = at[0]++;
            List<PriorState> kept = new java.util.ArrayList<>();
            for (PriorState s : PriorState.decode(segment)) {
                if (whole.contains(s.key())) {
                    continue;
                }
                if (s.last()) {
                    whole.add(s.key());
                }
                kept.add(s);
            }
            if (index >= from) {
                work.apply(index, kept);
            }
        });
    }
}
