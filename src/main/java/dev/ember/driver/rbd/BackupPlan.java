package dev.ember.driver.rbd;

import java.util.List;

/** What one RBD backup will do, decided before any I/O by {@link BackupPlanner}. */
public sealed interface BackupPlan {

    /** Source snapshots to remove before anything else (stale ones that can never be a from-snapshot). */
    List<String> removeFromSourceFirst();

    /** The backup the new backup is incremental to, or null for a full backup. */
    String parentId();

    /**
     * Copy the whole source into {@code image} in {@code backup_ceph_chunk_size} pieces; no
     * snapshots anywhere.
     */
    record FullCopy(String image, List<String> removeFromSourceFirst, String reason) implements BackupPlan {
        @Override
        public String parentId() {
            return null;
        }
    }

    /**
     * Snapshot the source as {@code newSnap}, copy the extents changed since {@code fromSnap}
     * (everything when null) into {@code base} and snapshot the base with the same name; then
     * remove {@code removeFromSourceAfter} (the previous snapshot) from the source.
     *
     * @param createBase whether the base image must be created first (and removed again if the copy fails)
     */
    record Differential(String base, boolean createBase, String fromSnap, String newSnap,
                        List<String> removeFromSourceFirst, String removeFromSourceAfter,
                        String parentId) implements BackupPlan {
    }
}
