package io.keyferry.engine;

import io.keyferry.api.EndpointSpec;
import io.keyferry.api.KeySelector;
import io.keyferry.engine.copy.SourceScan;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Cmd;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.Pipe;
import io.keyferry.engine.redis.RedisLink;
import java.util.List;

/**
 * Removes what KeyFerry kept in a target for one migration: every key named {@code keyferry:<kind>:{<id>}...} or
 * {@code keyferry:<kind>:{<id>:...}...}, where the id is the migration's (its UID): checkpoints and their fences of every
 * source and part (whichever sources the spec names today), live sync's positions, the undo journal's segments. Only
 * the target is needed, not the sources (they may be gone when a migration is deleted).
 *
 * <p>The keys are found with a SCAN of the whole target (every master of a cluster) matching
 * {@link #pattern(String)}, so the clean-up takes as long as a scan of the target's key space: seconds per million
 * keys. Deleting is idempotent: a clean-up interrupted and run again removes what is left.
 */
public final class StateCleanup {
    /** Keys scanned per SCAN call. */
    private static final int BATCH = 1000;

    private StateCleanup() {}

    /** The SCAN pattern of the keys KeyFerry keeps for a migration id: {@code keyferry:*{<id>[:}]*}. */
    public static String pattern(String id) {
        return "keyferry:*{" + escape(id) + "[:}]*";
    }

    /** The SCAN pattern of a migration's undo journal alone: its hash, segments, undo progress and undone marker. */
    public static String journalPattern(String id) {
        return "keyferry:undo:{" + escape(id) + "}*";
    }

    /**
     * Connects to a store (the target, or spec.undo.store: {@code field} names it in errors) and deletes the keys
     * matching {@code pattern}, but {@code kept} (null for none).
     *
     * @return how many keys were removed
     */
    public static long removeMatching(EndpointSpec store, String field, SecretResolver secrets, String pattern, String kept) {
        try (Endpoints endpoints = new Endpoints(secrets); RedisLink link = endpoints.connect(store, field, field)) {
            return removeMatching(link, pattern, kept == null ? null : kept.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Connects to a store and deletes the named keys (no SCAN); returns how many there were. */
    public static long removeKeys(EndpointSpec store, String field, SecretResolver secrets, List<String> keys) {
        try (Endpoints endpoints = new Endpoints(secrets); RedisLink link = endpoints.connect(store, field, field)) {
            return delete(link, keys.stream().map(k -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList());
        }
    }

    /**
     * Removes what a finished migration no longer needs from its target, by name (no SCAN): every copy checkpoint and
     * its fence (per source, per part with {@code parts}), every source's live sync position (per part too), the
     * merged lists' bases ({@link io.keyferry.engine.copy.ListBases}), and a decision of no undo journal (the hash
     * holding only {@code enabled=0}). The undo journal itself stays (spec.undo.retainSeconds).
     *
     * @return how many keys were removed
     */
    public static long removeFinished(EndpointSpec target, SecretResolver secrets, String id, List<String> sources, int parts) {
        List<String> ids = new java.util.ArrayList<>(copyCheckpoints(id, sources, parts));
        for (String source : sources) {
            ids.add(io.keyferry.engine.sync.TargetPositions.idFor(id, source)); // the copy's start, or the one sync worker's
            for (int part = 0; parts > 1 && part < parts; part++) {
                ids.add(io.keyferry.engine.sync.TargetPositions.idFor(id, source, part, parts));
            }
        }
        try (Endpoints endpoints = new Endpoints(secrets); RedisLink link = endpoints.connect(target, "spec.target.endpoint", "target")) {
            return io.keyferry.engine.checkpoint.TargetCheckpointStore.remove(link, ids) + forgetNoJournal(link, id)
                    + delete(link, List.of(io.keyferry.engine.copy.ListBases.keyFor(id).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** The ids of every copy checkpoint of a migration: one per source, or per part of each with {@code parts} > 1. */
    public static List<String> copyCheckpoints(String id, List<String> sources, int parts) {
        List<String> ids = new java.util.ArrayList<>();
        for (String source : sources) {
            for (int part = 0; part < parts; part++) {
                ids.add(id + ":" + source + (parts == 1 ? "" : ":" + part + "/" + parts));
            }
        }
        return ids;
    }

    /**
     * Removes a decision of no undo journal ({@code keyferry:undo:{<id>}} holding only {@code enabled=0}): nothing else
     * is kept under it, so nothing of KeyFerry's stays in the target of a migration that journals nothing.
     */
    public static long forgetNoJournal(RedisLink target, String id) {
        byte[] meta = io.keyferry.engine.undo.TargetSegmentStore.metaKey(id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] decided = target.call(target.async().hget(meta,
                io.keyferry.engine.undo.TargetSegmentStore.ENABLED.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (decided == null || !"0".equals(new String(decided, java.nio.charset.StandardCharsets.UTF_8))
                || target.call(target.async().hlen(meta)) != 1) {
            return 0;
        }
        return target.call(target.async().del(meta));
    }

    /**
     * Connects to the target, finds this migration's keys and deletes them.
     *
     * @return how many keys were removed
     * @throws MigrationInputException when the endpoint or its credentials are not usable
     * @throws RuntimeException        when the target cannot be reached or answers with an error
     */
    public static long removeAll(EndpointSpec target, SecretResolver secrets, String id) {
        try (RedisLink link = new Endpoints(secrets).connect(target, "spec.target.endpoint", "target")) {
            return removeAll(link, id);
        }
    }

    /** Finds this migration's keys in a connected target and deletes them; returns how many were removed. */
    public static long removeAll(RedisLink target, String id) {
        return removeMatching(target, pattern(id), null);
    }

    private static long removeMatching(RedisLink target, String pattern, byte[] kept) {
        ServerProfile profile = new Prober().probe(target);
        KeySelector own = new KeySelector();
        own.setMatch(pattern);
        SourceScan scan = new SourceScan(target, profile, own, BATCH);
        long removed = 0;
        String cursor = "0";
        SourceScan.Page page;
        do {
            page = scan.next(cursor);
            removed += delete(target, kept == null ? page.keys()
                    : page.keys().stream().filter(k -> !java.util.Arrays.equals(k, kept)).toList());
            cursor = page.cursor();
        } while (!page.finished());
        return removed;
    }

    private static long delete(RedisLink target, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        Pipe pipe = target.pipe();
        for (byte[] key : keys) {
            pipe.send(Cmd.DEL, key); // one key a command: a cluster's keys of one page are in many slots
        }
        long removed = 0;
        for (Object reply : pipe.sync()) {
            removed += reply instanceof Long n ? n : 0;
        }
        return removed;
    }

    /** A UID holds no glob characters; anything else is escaped so that it matches only itself. */
    private static String escape(String id) {
        StringBuilder sb = new StringBuilder();
        for (char c : id.toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
