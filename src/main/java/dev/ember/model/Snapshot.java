package dev.ember.model;

import java.time.LocalDateTime;

/** The columns of cinder's {@code snapshots} table that Ember reads. */
public record Snapshot(
        String id,
        String volumeId,
        String userId,
        String projectId,
        String status,
        String progress,
        int volumeSize,
        String displayName,
        String displayDescription,
        String volumeTypeId,
        String groupSnapshotId,
        boolean useQuota,
        LocalDateTime createdAt,
        LocalDateTime updatedAt) {

    /** cinder's snapshot_name_template: the RBD snapshot (or file) name. */
    public String name() {
        return "snapshot-" + id;
    }
}
