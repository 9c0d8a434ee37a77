package dev.ember.driver.rbd;

import java.util.List;

/** What one RBD backup will do, decided before any I/O by {@link BackupPlanner}. */
public sealed interface BackupPlan {

    /**
     * Backup snapshots to remove from the source once the backup has succeeded: every one that no
     * later backup can start from (see {@link BackupPlanner}, "Source snapshots").
     */
    List<String> removeFromSourceAfter();

    /** The backup the new backup is recorded as incremental to, or null for a full backup. */
    String parentId();

    /** Why this plan: logged with the backup. */
    String reason();

    /**
     * Copy the whole source into {@code image} in {@code backup_ceph_chunk_size} pieces; no
     * snapshots anywhere.
     */
    record FullCopy(String image, List<String> removeFromSourceAfter, String reason) implements BackupPlan {
        public FullCopy {
            removeFromSourceAfter = List.copyOf(removeFromSourceAfter);
        }

        @Override
        public String parentId() {
            return null;
        }
    }

    /**
     * Snapshot the source as {@code newSnap}, copy the extents changed since {@code fromSnap}
     * (everything when null) onto the head of {@code base} and snapshot the base with the same
     * name; then remove {@code removeFromSourceAfter} from the source.
     *
     * @param createBase whether the base image must be created first (and removed again if the copy fails)
     */
    record Differential(String base, boolean createBase, String fromSnap, String newSnap,
                        List<String> removeFromSourceAfter, String parentId, String reason) implements BackupPlan {
        public Differential {
            removeFromSourceAfter = List.copyOf(removeFromSourceAfter);
        }
    }
}
