package io.keyferry.reconciler;

import io.keyferry.api.SyncStatus;
import java.util.List;
import java.util.Objects;

/** A source's sync status from its parts' (a sync worker per part, with spec.worker.parallelism). */
final class SyncParts {
    private SyncParts() {}

    /**
     * One part's status as it is; several folded: the largest lag (not known while a part's is not), changes behind
     * summed, each part's position as {@code k/n position; ...}, the latest time applied, rescans summed, rescanning
     * while any part is. Null while no part reports.
     */
    static SyncStatus fold(List<SyncStatus> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        if (parts.stream().allMatch(Objects::isNull)) {
            return null;
        }
        Double lag = 0.0;
        long behind = 0;
        long rescans = 0;
        boolean rescanning = false;
        String lastApplied = null;
        StringBuilder positions = new StringBuilder();
        for (int k = 0; k < parts.size(); k++) {
            SyncStatus p = parts.get(k);
            if (p == null || p.lagSeconds() == null) {
                lag = null; // a part not following yet, or rescanning: the source's lag is not known
            } else if (lag != null) {
                lag = Math.max(lag, p.lagSeconds());
            }
            if (p == null) {
                continue;
            }
            behind += p.changesBehind() == null ? 0 : p.changesBehind();
            rescans += p.rescans() == null ? 0 : p.rescans();
            rescanning |= Boolean.TRUE.equals(p.rescanning());
            if (p.lastAppliedAt() != null && (lastApplied == null || p.lastAppliedAt().compareTo(lastApplied) > 0)) {
                lastApplied = p.lastAppliedAt();
            }
            positions.append(positions.length() == 0 ? "" : "; ").append(k).append('/').append(parts.size()).append(' ')
                    .append(p.position());
        }
        return new SyncStatus(lag, behind, positions.toString(), lastApplied, rescans == 0 ? null : rescans,
                rescanning ? Boolean.TRUE : null);
    }
}
